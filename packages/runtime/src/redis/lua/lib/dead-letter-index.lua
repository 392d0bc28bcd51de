--[[
  Shared by redriveDeadLetters and discardDeadLetter (pasted in where a script says
  `--!include dead-letter-index.lua`, by scripts.ts): the bucket's index of convoys holding dead letters.
]]

-- Drop `member` from the dead-letter index once its convoy's dead-letter LIST is empty.
local function cleanDeadLetterIndex(dlq, dlqidx, member)
  if redis.call('LLEN', dlq) == 0 then
    redis.call('ZREM', dlqidx, member)
  end
end
