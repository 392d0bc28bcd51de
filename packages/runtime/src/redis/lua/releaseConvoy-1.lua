--[[
  Give a convoy back: drop the lease if this claim still holds it (a stale release changes nothing), and
  tell whether unprocessed events remain so the caller can schedule another turn. Safe to run twice.

  KEYS[1] meta  HASH  epoch, owner, leaseUntil, token, seq, processed

  ARGV[1] epoch

  Returns: {released (0|1), hasMore (0|1)}
]]
local released = 0
if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil', 'token')
  released = 1
end
local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
if accepted > processed then
  return {released, 1}
end
return {released, 0}
