--[[
  Accept one event into a convoy: (for a timer firing) a check that its arming is still the convoy's and
  due, idempotency check, backlog cap, append to the inbox with the next seq, idempotency record, mark
  the convoy dirty. Safe to run twice: every call carries an idempotency key (the client's, the runtime's,
  or its request token when there is none), so a resent call finds its record; the record names the
  request that wrote it, so a resent call is not reported as a duplicate.
  A failed accept changes nothing: the XADD (the only write that can fail) comes before any other write.
  With a claim token it also claims the convoy when this accept made it dirty and no live lease holds it
  (as claimConvoy does), so the caller can run the turn without another round trip.

  Lifetimes: a convoy's incarnation (meta `inc`) is set by the accept that creates its meta, from ARGV[13].
  Idempotency records carry the incarnation that wrote them; a record of an earlier lifetime of the same
  id (kept by its own TTL after retention deleted the convoy) is not this convoy's and is overwritten.
  An event accepted while the convoy waits for its retention to expire goes with it: the inbox and the
  idempotency record get the meta's remaining TTL.

  KEYS[1] meta    HASH  seq (last accepted), firstAt, processed, inc, status
  KEYS[2] inbox   STREAM, entry id <seq>-0, fields e (event JSON), s (source JSON), t (acceptedAt)
  KEYS[3] idem    STRING "<incarnation>|<seq>|<request token>|<fingerprint>" with a TTL
  KEYS[4] dirty   ZSET of the convoy's bucket
  KEYS[5] active  ZSET: the bucket's `active` status index of the convoy's type (a new convoy is listed)
  KEYS[6] state   STRING record JSON (read for a claim)
  KEYS[7] outbox  HASH effectId -> effect JSON (read for a claim)
  KEYS[8] timers  HASH timerId -> timer JSON (read for a timer firing)
  KEYS[9] due     ZSET of the bucket: armed timers by due time (read for a timer firing)

  ARGV[1] now (ms)
  ARGV[2] event JSON
  ARGV[3] source JSON
  ARGV[4] request token (unique per accept call): a hit written by another request is a duplicate, a hit
          written by this one is this same call re-sent after a lost reply
  ARGV[5] fingerprint of the request body
  ARGV[6] maxBacklog
  ARGV[7] idempotency record TTL (ms)
  ARGV[8] the convoy's dirty-set member
  ARGV[9] claim token, or "" for no claim; ARGV[10] owner; ARGV[11] lease (ms); ARGV[12] max events
  ARGV[13] incarnation for a convoy this accept creates
  ARGV[14] timer id of a timer firing, or ""; ARGV[15] its token; ARGV[16] its member in the due set

  Returns: {seq, duplicate (0|1), wake (0|1)}, or IDEMPOTENCY_CONFLICT, or BACKLOG_FULL, or {0, 0, 0} for a
  timer firing whose arming is gone, replaced or not due (nothing stored). wake is 1 when this accept
  made the convoy dirty (the `ZADD NX` added it) and for an idempotency hit; 0 when the convoy was already
  dirty, so a turn is pending or running (its release reports hasMore) or the sweeper wakes it.
  A parked convoy (meta `status` paused or blocked) is not marked dirty: its events wait in the inbox
  until the commit that makes it runnable marks it. wake is then 0 for a paused convoy (resume schedules
  a turn) and 1 for a blocked one (a turn on a node that registered the missing version may un-block
  it). A timer firing of a parked convoy is refused like one not due; a due entry left from before
  parking took timers out of the due set is dropped on the way.
  With a claim: {seq, 0, 1, epoch, leaseUntil, record JSON or "", inbox entries, outbox values,
  incarnation} (the claimConvoy reply after the first three), also for a re-sent call whose first run
  took the claim.
]]
--!include clock.lua
--!include claim.lua
--!include parked.lua

local IDEMPOTENCY_CONFLICT = -3
local BACKLOG_FULL = -4
local now = leaseClock(tonumber(ARGV[1]))

-- The reply for the claim this accept holds: {seq, 0, 1} followed by what claimConvoy returns.
local function claimed(seq, epoch, leaseUntil)
  return {seq, 0, 1, unpack(readClaim(KEYS[1], KEYS[6], KEYS[2], KEYS[7], epoch, leaseUntil, tonumber(ARGV[12])))}
end

local status = redis.call('HGET', KEYS[1], 'status')
local parked = isParked(status)

if ARGV[14] ~= '' then
  if parked then
    redis.call('ZREM', KEYS[9], ARGV[16])
    return {0, 0, 0}
  end
  local armed = redis.call('HGET', KEYS[8], ARGV[14])
  if not armed or cjson.decode(armed)['token'] ~= ARGV[15] then
    return {0, 0, 0}
  end
  local dueAt = redis.call('ZSCORE', KEYS[9], ARGV[16])
  if not dueAt or tonumber(dueAt) > now then
    return {0, 0, 0}
  end
end

local incarnation = redis.call('HGET', KEYS[1], 'inc') or ARGV[13]
local seen = redis.call('GET', KEYS[3])
if seen then
  local bar = string.find(seen, '|', 1, true)
  local first = bar and string.find(seen, '|', bar + 1, true)
  local second = first and string.find(seen, '|', first + 1, true)
  if second and string.sub(seen, 1, bar - 1) == incarnation then
    local seenSeq = tonumber(string.sub(seen, bar + 1, first - 1))
    local token = string.sub(seen, first + 1, second - 1)
    if string.sub(seen, second + 1) ~= ARGV[5] then
      return IDEMPOTENCY_CONFLICT
    end
    if token == ARGV[4] then
      -- This very call re-sent: hand back the claim its first run took, if it still holds it.
      local leaseUntil = liveLease(KEYS[1], now)
      if ARGV[9] ~= '' and leaseUntil and redis.call('HGET', KEYS[1], 'token') == ARGV[9] then
        return claimed(seenSeq, tonumber(redis.call('HGET', KEYS[1], 'epoch')), leaseUntil)
      end
      return {seenSeq, 0, 1}
    end
    return {seenSeq, 1, 1}
  end
end

local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
if accepted - processed >= tonumber(ARGV[6]) then
  return BACKLOG_FULL
end

local seq = accepted + 1
redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[2], 's', ARGV[3], 't', ARGV[1])
redis.call('HSET', KEYS[1], 'seq', seq)
redis.call('HSETNX', KEYS[1], 'firstAt', ARGV[1])
redis.call('HSETNX', KEYS[1], 'inc', incarnation)
local idemTtl = tonumber(ARGV[7])
-- A finished convoy waiting for its retention to expire: what this accept adds expires with it.
local remaining = redis.call('PTTL', KEYS[1])
if remaining > 0 then
  redis.call('PEXPIRE', KEYS[2], remaining)
  if remaining < idemTtl then idemTtl = remaining end
end
redis.call('SET', KEYS[3], incarnation .. '|' .. seq .. '|' .. ARGV[4] .. '|' .. ARGV[5], 'PX', idemTtl)
local wake
if status == 'paused' then
  wake = 0
elseif parked then
  wake = 1
else
  wake = redis.call('ZADD', KEYS[4], 'NX', ARGV[1], ARGV[8])
end
if seq == 1 then
  redis.call('ZADD', KEYS[5], 'NX', ARGV[1], ARGV[8])
end
if wake == 1 and ARGV[9] ~= '' and not liveLease(KEYS[1], now) then
  return claimed(seq, takeLease(KEYS[1], now, ARGV[10], tonumber(ARGV[11]), ARGV[9]))
end
return {seq, 0, wake}
