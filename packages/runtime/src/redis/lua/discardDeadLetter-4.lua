--[[
  Drop one dead letter (matched by its exact stored JSON) and record an `operator` history entry. Safe
  to run twice: a resend finds the letter gone and changes nothing.

  KEYS[1] meta     HASH  histTrimmed
  KEYS[2] dlq      LIST of dead-letter JSON
  KEYS[3] history  LIST of entry JSON
  KEYS[4] dlqidx   ZSET of the bucket: convoys of the type holding dead letters

  ARGV[1] index member, ARGV[2] history cap, ARGV[3] stored dead-letter JSON, ARGV[4] history entry JSON

  Returns: 1 when the letter was dropped, 0 when it was not there
]]
if redis.call('LREM', KEYS[2], 1, ARGV[3]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[3], ARGV[4])
local cap = tonumber(ARGV[2])
local len = redis.call('LLEN', KEYS[3])
if len > cap then
  redis.call('LTRIM', KEYS[3], len - cap, -1)
  redis.call('HINCRBY', KEYS[1], 'histTrimmed', len - cap)
end
if redis.call('LLEN', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[4], ARGV[1])
end
return 1
