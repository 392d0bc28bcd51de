--[[
  Drop one dead letter (matched by its exact stored JSON) and record an `operator` history entry. Safe
  to run twice: a resend finds the letter gone and changes nothing.

  KEYS[1] meta     HASH  histTrimmed
  KEYS[2] dlq      LIST of dead-letter JSON
  KEYS[3] history  LIST of entry JSON
  KEYS[4] dlqidx   ZSET of the bucket: convoys of the type holding dead letters
  KEYS[5] feed     STREAM: the type's change feed, appended with the convoy id when a letter was dropped
                   (on Cluster, where the feed is in another slot: any key of this convoy, with ARGV[5] 0)

  ARGV[1] index member, ARGV[2] history cap, ARGV[3] stored dead-letter JSON, ARGV[4] history entry JSON,
  ARGV[5] change feed cap (`MAXLEN ~`; 0: do not append, the caller publishes), ARGV[6] convoy id

  Returns: 1 when the letter was dropped, 0 when it was not there
]]
--!include history.lua
--!include dead-letter-index.lua
--!include change-feed.lua
if redis.call('LREM', KEYS[2], 1, ARGV[3]) == 0 then
  return 0
end
redis.call('RPUSH', KEYS[3], ARGV[4])
trimHistory(KEYS[1], KEYS[3], tonumber(ARGV[2]))
cleanDeadLetterIndex(KEYS[2], KEYS[4], ARGV[1])
publishChange(KEYS[5], ARGV[5], ARGV[6])
return 1
