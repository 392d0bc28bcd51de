--[[
  Shared by commitTurn and commitOperator (pasted in where a script says `--!include status-index.lua`,
  by scripts.ts): the per-type status index of a bucket, one ZSET per status (score: updatedAt).
]]

-- The statuses, in the order of the status index keys a script is given (`convoyStatuses` in keys.ts;
-- a test keeps the two lists equal).
local convoyStatuses = {'active', 'done', 'blocked', 'stalled', 'paused'}

-- Index `member` under `status` only: added (score `now`) to its ZSET, removed from the others. The
-- status index keys are KEYS[firstKey], KEYS[firstKey + 1], ... in `convoyStatuses` order.
local function moveStatusIndex(firstKey, status, now, member)
  for j = 1, #convoyStatuses do
    if convoyStatuses[j] == status then
      redis.call('ZADD', KEYS[firstKey + j - 1], now, member)
    else
      redis.call('ZREM', KEYS[firstKey + j - 1], member)
    end
  end
end
