--[[
  Shared by the scripts that change a convoy's status or its work (pasted in where a script says
  `--!include parked.lua`, by scripts.ts). A parked convoy (paused by an operator, blocked) leaves its
  bucket's dirty and due sets, so the sweeper and the timer poller never look at it; its timers stay in
  its timers HASH (the source of truth), and the commit that makes it runnable puts them back.
]]

-- The statuses that park a convoy (`parkedStatuses` in work-list.ts; a test keeps the two equal).
local function isParked(status)
  return status == 'paused' or status == 'blocked'
end

-- Take every armed timer of a convoy out of the bucket's due set (parked), or put each back with its
-- due time (runnable again: a timer due meanwhile is listed at once).
local function parkTimers(timersKey, dueKey, timerPrefix, parked)
  local armed = redis.call('HGETALL', timersKey)
  for j = 1, #armed, 2 do
    if parked then
      redis.call('ZREM', dueKey, timerPrefix .. armed[j])
    else
      redis.call('ZADD', dueKey, cjson.decode(armed[j + 1])['dueAt'], timerPrefix .. armed[j])
    end
  end
end
