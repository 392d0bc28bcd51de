--[[
  Commit one turn atomically, fenced: the claim's epoch must still be current and the new record must
  build on the stored revision. Writes the record, history, dead letters, outbox and timers, trims the
  processed inbox entries (deleting the stream once empty) and clears the dirty mark when nothing is left.
  Safe to run twice: when the
  stored revision already equals the new one and was written under this epoch, it is a no-op success.

  KEYS[1] meta     HASH  epoch, rev, revEpoch, processed, status, updatedAt, seq, histTrimmed
  KEYS[2] state    STRING record JSON
  KEYS[3] inbox    STREAM
  KEYS[4] outbox   HASH effectId -> effect JSON
  KEYS[5] timers   HASH timerId -> timer JSON
  KEYS[6] history  LIST of entry JSON
  KEYS[7] dlq      LIST of dead-letter JSON
  KEYS[8] dirty    ZSET of the bucket
  KEYS[9] due      ZSET of the bucket (armed timers by due time)
  KEYS[10..14]     the bucket's status index ZSETs of the convoy's type (score: updatedAt), in the order
                   active, done, blocked, stalled, paused (`convoyStatuses` in keys.ts)
  KEYS[15] dlqidx  ZSET of the bucket: convoys of the type holding dead letters (score: latest one)
  KEYS[16] expiring ZSET of the bucket and type: finished convoys given a retention (score: when their
                   keys expire, server time), so readers can drop their index entries once gone
  KEYS[17] waiting ZSET of the bucket and type: convoys with unprocessed events, scored by the acceptance
                   time of the oldest one (re-scored here from the next unprocessed inbox entry, or removed)
  KEYS[18] feed    STREAM: the type's change feed, appended with the convoy id once the commit is applied
                   (on Cluster, where the feed is in another slot: any key of this convoy, with ARGV[12] 0)

  ARGV[1] now, ARGV[2] epoch, ARGV[3] new revision, ARGV[4] processed seq, ARGV[5] record JSON,
  ARGV[6] status, ARGV[7] history cap, ARGV[8] dead-letter cap, ARGV[9] dirty member,
  ARGV[10] timer member prefix (a due member is this prefix followed by the timer id),
  ARGV[11] release when idle (1|0): give the lease back too when the commit leaves no unprocessed event
           and no unacknowledged effect (saves the turn a separate releaseConvoy),
  ARGV[12] change feed cap (`MAXLEN ~`; 0: do not append, the caller publishes), ARGV[13] convoy id,
  then sections, each a count followed by its items:
    history entries     (json)
    dead letters        (json)
    effects             (id, json)
    cancelled timers    (timerId)
    armed timers        (timerId, dueAt, json)
    timers to keep      (timerId, token): the record's armed timers minus firings processed by this
                        commit; any other timer left in KEYS[5] is disarmed, so a processed firing or a
                        timer the record no longer holds is never due again
    retention           (ms): 0 or 1 item; set on the commit that finishes a convoy whose type has a
                        retention: every key of the convoy (meta, state, inbox, outbox, timers, history,
                        dlq) expires that long after this commit. A later commit of a finished convoy (an
                        event refused as convoy_done) re-applies the remaining TTL, since SET drops it.
                        Idempotency records are not touched: they carry the convoy's incarnation, so a
                        convoy re-created under the same id never takes them for its own.

  The convoy stays in the dirty set while events wait beyond the processed seq or effects wait in the outbox,
  unless the new status parks it (blocked): then it leaves the dirty set and its timers leave the due
  set; a commit that takes a parked convoy out of parking (a turn that un-blocks it) puts its timers back.
  The convoy is indexed under its new status only (removed from the other status indexes).

  Returns: {revision, hasMore (0|1), released (0|1)}, or STALE_CLAIM, or REVISION_CONFLICT. A re-run of an
  applied commit reports released = 0: the caller then releases separately (releaseConvoy is fenced); it
  appends nothing to the change feed either (the first run did).
]]
--!include history.lua
--!include status-index.lua
--!include parked.lua
--!include change-feed.lua
local STALE_CLAIM = -1
local REVISION_CONFLICT = -2

local epoch = ARGV[2]
local newRev = tonumber(ARGV[3])
local processed = tonumber(ARGV[4])
local storedRev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')

local function hasMore()
  if accepted > tonumber(redis.call('HGET', KEYS[1], 'processed') or '0') then return 1 end
  return 0
end

-- Already applied (the reply of the first run was lost): succeed without writing anything.
if storedRev == newRev and redis.call('HGET', KEYS[1], 'revEpoch') == epoch then
  return {newRev, hasMore(), 0}
end
if redis.call('HGET', KEYS[1], 'epoch') ~= epoch then
  return STALE_CLAIM
end
if storedRev ~= newRev - 1 then
  return REVISION_CONFLICT
end

local wasParked = isParked(redis.call('HGET', KEYS[1], 'status'))
local parked = isParked(ARGV[6])
redis.call('SET', KEYS[2], ARGV[5])
redis.call('HSET', KEYS[1], 'rev', newRev, 'revEpoch', epoch, 'processed', processed,
  'status', ARGV[6], 'updatedAt', ARGV[1])

moveStatusIndex(10, ARGV[6], ARGV[1], ARGV[9])

local i = 14
local n = tonumber(ARGV[i])
for j = 1, n do
  redis.call('RPUSH', KEYS[6], ARGV[i + j])
end
i = i + n + 1
trimHistory(KEYS[1], KEYS[6], tonumber(ARGV[7]))

n = tonumber(ARGV[i])
for j = 1, n do
  redis.call('RPUSH', KEYS[7], ARGV[i + j])
end
i = i + n + 1
redis.call('LTRIM', KEYS[7], -tonumber(ARGV[8]), -1)
if n > 0 then
  redis.call('ZADD', KEYS[15], ARGV[1], ARGV[9])
end

n = tonumber(ARGV[i])
for j = 0, n - 1 do
  redis.call('HSET', KEYS[4], ARGV[i + 1 + j * 2], ARGV[i + 2 + j * 2])
end
i = i + n * 2 + 1

local timerPrefix = ARGV[10]
n = tonumber(ARGV[i])
for j = 1, n do
  redis.call('HDEL', KEYS[5], ARGV[i + j])
  redis.call('ZREM', KEYS[9], timerPrefix .. ARGV[i + j])
end
i = i + n + 1

n = tonumber(ARGV[i])
for j = 0, n - 1 do
  redis.call('HSET', KEYS[5], ARGV[i + 1 + j * 3], ARGV[i + 3 + j * 3])
  redis.call('ZADD', KEYS[9], ARGV[i + 2 + j * 3], timerPrefix .. ARGV[i + 1 + j * 3])
end
i = i + n * 3 + 1

n = tonumber(ARGV[i])
local keep = {}
for j = 0, n - 1 do
  keep[ARGV[i + 1 + j * 2]] = ARGV[i + 2 + j * 2]
end
local armedNow = redis.call('HGETALL', KEYS[5])
for j = 1, #armedNow, 2 do
  local timerId = armedNow[j]
  if keep[timerId] == nil or keep[timerId] ~= cjson.decode(armedNow[j + 1])['token'] then
    redis.call('HDEL', KEYS[5], timerId)
    redis.call('ZREM', KEYS[9], timerPrefix .. timerId)
  end
end
i = i + n * 2 + 1

local retainMs = 0
if tonumber(ARGV[i] or '0') > 0 then retainMs = tonumber(ARGV[i + 1]) end
if retainMs <= 0 and ARGV[6] == 'done' then
  retainMs = redis.call('PTTL', KEYS[1])
end
if retainMs > 0 then
  for k = 1, 7 do
    redis.call('PEXPIRE', KEYS[k], retainMs)
  end
  local t = redis.call('TIME')
  local serverNow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[16], serverNow + retainMs, ARGV[9])
end

redis.call('XTRIM', KEYS[3], 'MINID', processed + 1)
-- An empty stream still costs ~400 B per finished convoy; the seq counter lives in meta, and the next
-- XADD (accept, redrive) creates the stream again.
if redis.call('XLEN', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[3])
end
if parked then
  parkTimers(KEYS[5], KEYS[9], timerPrefix, true)
elseif wasParked then
  parkTimers(KEYS[5], KEYS[9], timerPrefix, false)
end
local more = hasMore()
-- The oldest waiting event is now the first inbox entry left (the processed ones were trimmed above).
local head = more == 1 and redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
if head then
  local fields = head[2]
  for f = 1, #fields, 2 do
    if fields[f] == 't' then redis.call('ZADD', KEYS[17], fields[f + 1], ARGV[9]) end
  end
else
  redis.call('ZREM', KEYS[17], ARGV[9])
end
local released = 0
local idle = more == 0 and redis.call('HLEN', KEYS[4]) == 0
if idle or parked then
  redis.call('ZREM', KEYS[8], ARGV[9])
else
  redis.call('ZADD', KEYS[8], 'NX', ARGV[1], ARGV[9])
end
if idle and ARGV[11] == '1' then
  redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil', 'token')
  released = 1
end
publishChange(KEYS[18], ARGV[12], ARGV[13])
return {newRev, more, released}
