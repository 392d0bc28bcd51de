--[[
  Apply an operator's change of a convoy's record (pause, resume, retry) as a compare-and-set on the
  revision, record it in the history, re-index the convoy under its new status, and fence off any
  current claim: the epoch is bumped and the lease freed, so a worker mid-turn can neither commit nor
  ack, and the next turn can claim at once. A status that parks the convoy (paused, blocked) takes it out
  of the bucket's dirty set and its timers out of the due set; any other puts the timers back (a timer
  due meanwhile is listed at once) and marks the convoy dirty when events or effects wait. Safe to run twice: a resend finds the revision moved and
  `revEpoch` equal to the epoch this call set, and succeeds without writing.

  KEYS[1] meta     HASH  rev, revEpoch, epoch, owner, leaseUntil, token, seq, processed, status, updatedAt
  KEYS[2] state    STRING record JSON
  KEYS[3] history  LIST of entry JSON
  KEYS[4] dirty    ZSET of the bucket
  KEYS[5..9]       the bucket's status index ZSETs of the convoy's type, in the order
                   active, done, blocked, stalled, paused (`convoyStatuses` in keys.ts)
  KEYS[10] timers  HASH timerId -> timer JSON (the convoy's armed timers)
  KEYS[11] due     ZSET of the bucket (armed timers of runnable convoys by due time)
  KEYS[12] outbox  HASH effectId -> effect JSON (unacknowledged effects keep a runnable convoy dirty)
  KEYS[13] feed    STREAM: the type's change feed, appended with the convoy id once the change is applied
                   (on Cluster, where the feed is in another slot: any key of this convoy, with ARGV[11] 0)

  ARGV[1] now, ARGV[2] expected revision, ARGV[3] new revision, ARGV[4] record JSON, ARGV[5] new status,
  ARGV[6] history entry JSON, ARGV[7] dirty / index member, ARGV[8] history cap, ARGV[9] operation token
  (unique per call: recorded as revEpoch so a resend recognises its own write), ARGV[10] timer member
  prefix (a due member is this prefix followed by the timer id), ARGV[11] change feed cap (`MAXLEN ~`;
  0: do not append, the caller publishes), ARGV[12] convoy id

  Returns: new revision, or REVISION_CONFLICT
]]
--!include history.lua
--!include status-index.lua
--!include parked.lua
--!include change-feed.lua
local REVISION_CONFLICT = -2

local storedRev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
local newRev = tonumber(ARGV[3])
if storedRev == newRev and redis.call('HGET', KEYS[1], 'revEpoch') == ARGV[9] then
  return newRev
end
if storedRev ~= tonumber(ARGV[2]) then
  return REVISION_CONFLICT
end

redis.call('SET', KEYS[2], ARGV[4])
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil', 'token')
redis.call('HSET', KEYS[1], 'rev', newRev, 'revEpoch', ARGV[9], 'status', ARGV[5], 'updatedAt', ARGV[1])

redis.call('RPUSH', KEYS[3], ARGV[6])
trimHistory(KEYS[1], KEYS[3], tonumber(ARGV[8]))

moveStatusIndex(5, ARGV[5], ARGV[1], ARGV[7])
publishChange(KEYS[13], ARGV[11], ARGV[12])

if isParked(ARGV[5]) then
  redis.call('ZREM', KEYS[4], ARGV[7])
  parkTimers(KEYS[10], KEYS[11], ARGV[10], true)
  return newRev
end
parkTimers(KEYS[10], KEYS[11], ARGV[10], false)
local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
if accepted > processed or redis.call('HLEN', KEYS[12]) > 0 then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[1], ARGV[7])
end
return newRev
