--[[
  Put dead letters back into their convoy: for each letter still in the dead-letter list (matched by its
  exact stored JSON), remove it, append its event to the inbox under the next seq (source `redrive`) and
  record an `operator` history entry naming the new seq. One atomic step, letters in the order given
  (seq order). Safe to run twice: a resend finds the letters gone and changes nothing.

  KEYS[1] meta     HASH  seq, histTrimmed
  KEYS[2] inbox    STREAM, entry id <seq>-0, fields e, s, t
  KEYS[3] dlq      LIST of dead-letter JSON
  KEYS[4] history  LIST of entry JSON
  KEYS[5] dirty    ZSET of the bucket
  KEYS[6] dlqidx   ZSET of the bucket: convoys of the type holding dead letters

  ARGV[1] now, ARGV[2] dirty / index member, ARGV[3] history cap, ARGV[4] letter count,
  then per letter: stored dead-letter JSON, event JSON, source JSON, history entry JSON before the new
  seq, history entry JSON after the new seq (the entry is prefix .. newSeq .. suffix)

  Returns: list of new seqs, one per letter (0 when the letter was no longer there)
]]
--!include history.lua
--!include dead-letter-index.lua
local newSeqs = {}
local n = tonumber(ARGV[4])
for j = 0, n - 1 do
  local base = 5 + j * 5
  if redis.call('LREM', KEYS[3], 1, ARGV[base]) == 1 then
    local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
    redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[base + 1], 's', ARGV[base + 2], 't', ARGV[1])
    redis.call('RPUSH', KEYS[4], ARGV[base + 3] .. seq .. ARGV[base + 4])
    newSeqs[#newSeqs + 1] = seq
  else
    newSeqs[#newSeqs + 1] = 0
  end
end

trimHistory(KEYS[1], KEYS[4], tonumber(ARGV[3]))
cleanDeadLetterIndex(KEYS[3], KEYS[6], ARGV[2])
redis.call('ZADD', KEYS[5], 'NX', ARGV[1], ARGV[2])
return newSeqs
