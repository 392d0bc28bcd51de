--[[
  Put dead letters back into their convoy: for each letter still in the dead-letter list (matched by its
  exact stored JSON), remove it, append its event to the inbox under the next seq (source `redrive`) and
  record an `operator` history entry naming the new seq. The letter of a failed effect puts the effect
  back into the outbox instead (it runs again; its event, applied once, is not applied again). One
  atomic step, letters in the order given (seq order). Safe to run twice: a resend finds the letters gone
  and changes nothing.

  KEYS[1] meta     HASH  seq, histTrimmed, status (a parked convoy is not marked dirty)
  KEYS[2] inbox    STREAM, entry id <seq>-0, fields e, s, t
  KEYS[3] dlq      LIST of dead-letter JSON
  KEYS[4] history  LIST of entry JSON
  KEYS[5] dirty    ZSET of the bucket
  KEYS[6] dlqidx   ZSET of the bucket: convoys of the type holding dead letters
  KEYS[7] outbox   HASH effectId -> effect JSON
  KEYS[8] waiting  ZSET of the bucket and type: convoys with unprocessed events (score: oldest acceptance)
  KEYS[9] feed     STREAM: the type's change feed, appended with the convoy id when a letter was redriven
                   (on Cluster, where the feed is in another slot: any key of this convoy, with ARGV[5] 0)

  ARGV[1] now, ARGV[2] dirty / index member, ARGV[3] history cap, ARGV[4] letter count,
  ARGV[5] change feed cap (`MAXLEN ~`; 0: do not append, the caller publishes), ARGV[6] convoy id,
  then per letter: stored dead-letter JSON, event JSON, source JSON, history entry JSON before the new
  seq, history entry JSON after the new seq (the entry is prefix .. newSeq .. suffix), effect id or ""
  (an effect's letter: then the event JSON is the effect JSON and the history entry is the prefix alone)

  Returns: list of new seqs, one per letter (0 when the letter was no longer there, -1 for an effect put
  back into the outbox)
]]
--!include history.lua
--!include dead-letter-index.lua
--!include parked.lua
--!include change-feed.lua
local newSeqs = {}
local moved = false
local n = tonumber(ARGV[4])
for j = 0, n - 1 do
  local base = 7 + j * 6
  if redis.call('LREM', KEYS[3], 1, ARGV[base]) == 0 then
    newSeqs[#newSeqs + 1] = 0
  elseif ARGV[base + 5] ~= '' then
    redis.call('HSET', KEYS[7], ARGV[base + 5], ARGV[base + 1])
    redis.call('RPUSH', KEYS[4], ARGV[base + 3])
    newSeqs[#newSeqs + 1] = -1
    moved = true
  else
    local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') + 1
    redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[base + 1], 's', ARGV[base + 2], 't', ARGV[1])
    redis.call('HSET', KEYS[1], 'seq', seq)
    redis.call('ZADD', KEYS[8], 'NX', ARGV[1], ARGV[2])
    redis.call('RPUSH', KEYS[4], ARGV[base + 3] .. seq .. ARGV[base + 4])
    newSeqs[#newSeqs + 1] = seq
    moved = true
  end
end

trimHistory(KEYS[1], KEYS[4], tonumber(ARGV[3]))
cleanDeadLetterIndex(KEYS[3], KEYS[6], ARGV[2])
-- A parked convoy stays out of the dirty set: the commit that makes it runnable marks it.
if not isParked(redis.call('HGET', KEYS[1], 'status')) then
  redis.call('ZADD', KEYS[5], 'NX', ARGV[1], ARGV[2])
end
if moved then
  publishChange(KEYS[9], ARGV[5], ARGV[6])
end
return newSeqs
