--[[
  Drop run effects from a convoy's outbox, fenced by the claim's epoch (a stale worker's ack is refused,
  so the current claimer runs the effect again: at-least-once). Safe to run twice (HDEL is idempotent).

  KEYS[1] meta    HASH  epoch
  KEYS[2] outbox  HASH effectId -> effect JSON

  ARGV[1] epoch
  ARGV[2..] effect ids

  Returns: number of effects removed, or STALE_CLAIM
]]
local STALE_CLAIM = -1

if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return STALE_CLAIM
end
local removed = 0
for i = 2, #ARGV do
  removed = removed + redis.call('HDEL', KEYS[2], ARGV[i])
end
return removed
