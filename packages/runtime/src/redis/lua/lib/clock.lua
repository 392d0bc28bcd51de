--[[
  The one clock for leases and due timers (pasted in where a script says `--!include clock.lua`). The
  caller's `now` is used, but never ahead of the Redis server's own TIME: a process whose clock runs fast
  can neither take over a live lease early nor fire a timer early. A caller whose clock runs behind is
  only late (its leases look live longer, its timers fire later); simulated clocks in tests, which run in
  the past, are taken as they are. Redis 7 replicates script effects, so reading TIME before writing is
  allowed.
]]

-- The server's time in ms.
local function serverTime()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The time leases and due checks use: min(caller's now, server TIME).
local function leaseClock(callerNow)
  local server = serverTime()
  if callerNow < server then return callerNow end
  return server
end
