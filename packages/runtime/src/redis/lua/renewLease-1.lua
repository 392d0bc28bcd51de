--[[
  Extend a claim's lease while its turn or effect runs, fenced by the epoch: once another claimer or an
  operator moved the epoch on, the renewal is refused and the turn stops. The lease never moves back.
  Safe to run twice.

  KEYS[1] meta  HASH  epoch, leaseUntil

  ARGV[1] epoch
  ARGV[2] now (ms; never taken ahead of the server's TIME, see clock.lua)
  ARGV[3] lease (ms)

  Returns: the new leaseUntil, or STALE_CLAIM (epoch moved on, or the lease was given back)
]]
--!include clock.lua

local STALE_CLAIM = -1

-- Fenced, and only while held: a renewal that arrives after the claim was released (or given back by
-- the commit) must not bring the lease back.
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] or redis.call('HEXISTS', KEYS[1], 'owner') == 0 then
  return STALE_CLAIM
end
local leaseUntil = leaseClock(tonumber(ARGV[2])) + tonumber(ARGV[3])
local held = tonumber(redis.call('HGET', KEYS[1], 'leaseUntil') or '0')
if held > leaseUntil then leaseUntil = held end
redis.call('HSET', KEYS[1], 'leaseUntil', leaseUntil)
return leaseUntil
