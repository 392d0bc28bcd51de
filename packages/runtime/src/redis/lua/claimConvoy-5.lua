--[[
  Claim a convoy: if no live lease holds it, bump its fencing epoch, take the lease, and read the record,
  up to N unprocessed inbox events and the pending outbox, all in one atomic step. Safe to run twice: a
  resent claim carries the same claim token and gets the same claim back instead of "busy". A convoy
  whose keys are gone (retention expired them) leaves the dirty set here, so the sweeper stops waking it.

  KEYS[1] meta    HASH  epoch, owner, leaseUntil, token, seq, processed, inc
  KEYS[2] state   STRING record JSON
  KEYS[3] inbox   STREAM
  KEYS[4] outbox  HASH effectId -> effect JSON
  KEYS[5] dirty   ZSET of the convoy's bucket

  ARGV[1] now (ms; never taken ahead of the server's TIME, see clock.lua)
  ARGV[2] owner
  ARGV[3] lease (ms)
  ARGV[4] max events
  ARGV[5] claim token (unique per claim call)
  ARGV[6] the convoy's dirty-set member

  Returns: 0 for a convoy never seen (nothing accepted) or held by another live claim; else
           {epoch, leaseUntil, record JSON or "", inbox entries (XRANGE reply), outbox values, incarnation}
]]
--!include clock.lua
--!include claim.lua

local now = leaseClock(tonumber(ARGV[1]))
if redis.call('HEXISTS', KEYS[1], 'seq') == 0 then
  redis.call('ZREM', KEYS[5], ARGV[6])
  return 0
end
local epoch
local leaseUntil = liveLease(KEYS[1], now)
if leaseUntil then
  -- Held: only this very claim call, re-sent, gets it back.
  if redis.call('HGET', KEYS[1], 'token') ~= ARGV[5] then
    return 0
  end
  epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
else
  epoch, leaseUntil = takeLease(KEYS[1], now, ARGV[2], tonumber(ARGV[3]), ARGV[5])
end
return readClaim(KEYS[1], KEYS[2], KEYS[3], KEYS[4], epoch, leaseUntil, tonumber(ARGV[4]))
