--[[
  Claim a convoy: if no live lease holds it, bump its fencing epoch, take the lease, and read the record,
  up to N unprocessed inbox events and the pending outbox, all in one atomic step. Safe to run twice: a
  resent claim carries the same claim token and gets the same claim back instead of "busy".

  KEYS[1] meta    HASH  epoch, owner, leaseUntil, token, seq, processed
  KEYS[2] state   STRING record JSON
  KEYS[3] inbox   STREAM
  KEYS[4] outbox  HASH effectId -> effect JSON

  ARGV[1] now (ms)
  ARGV[2] owner
  ARGV[3] lease (ms)
  ARGV[4] max events
  ARGV[5] claim token (unique per claim call)

  Returns: 0 for a convoy never seen (nothing accepted) or held by another live claim; else
           {epoch, leaseUntil, record JSON or "", inbox entries (XRANGE reply), outbox values}
]]
local now = tonumber(ARGV[1])
if redis.call('HEXISTS', KEYS[1], 'seq') == 0 then
  return 0
end
local leaseUntil = tonumber(redis.call('HGET', KEYS[1], 'leaseUntil') or '0')
local epoch
if leaseUntil > now then
  if redis.call('HGET', KEYS[1], 'token') ~= ARGV[5] then
    return 0
  end
  epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
else
  epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
  leaseUntil = now + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'leaseUntil', leaseUntil, 'token', ARGV[5])
end

local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
local record = redis.call('GET', KEYS[2]) or ''
local events = redis.call('XRANGE', KEYS[3], (processed + 1) .. '-0', '+', 'COUNT', tonumber(ARGV[4]))
local outbox = redis.call('HVALS', KEYS[4])
return {epoch, leaseUntil, record, events, outbox}
