--[[
  Shared by commitTurn, commitOperator, redriveDeadLetters and discardDeadLetter (pasted in where a
  script says `--!include history.lua`, by scripts.ts): the history cap.
]]

-- Keep the newest `cap` entries of the history LIST; the entries dropped from its head are counted in
-- the meta HASH field histTrimmed (readHistory turns it into stable entry indexes).
local function trimHistory(meta, history, cap)
  local len = redis.call('LLEN', history)
  if len > cap then
    redis.call('LTRIM', history, len - cap, -1)
    redis.call('HINCRBY', meta, 'histTrimmed', len - cap)
  end
end
