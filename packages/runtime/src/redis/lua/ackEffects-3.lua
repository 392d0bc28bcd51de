--[[
  Drop run effects from a convoy's outbox, fenced by the claim's epoch (a stale worker's ack is refused,
  so the current claimer runs the effect again: at-least-once). Clears the dirty mark once neither
  events nor effects are left. Safe to run twice (HDEL of a missing field is a no-op).

  KEYS[1] meta    HASH  epoch, seq, processed
  KEYS[2] outbox  HASH effectId -> effect JSON
  KEYS[3] dirty   ZSET of the convoy's bucket

  ARGV[1] epoch
  ARGV[2] dirty member
  ARGV[3..] effect ids

  Returns: number of effects removed, or STALE_CLAIM
]]
local STALE_CLAIM = -1

if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return STALE_CLAIM
end
local removed = 0
for i = 3, #ARGV do
  removed = removed + redis.call('HDEL', KEYS[2], ARGV[i])
end
local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
if accepted <= processed and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return removed
