--[[
  Shared by claimConvoy and acceptEvent (pasted in where a script says `--!include claim.lua`, by
  scripts.ts). The lease lives in the convoy's meta HASH: epoch (the fencing token, bumped by every
  claim), owner, leaseUntil (ms) and token (the claim call that holds it).
]]

-- The lease's end when a live lease holds the convoy at `now`, else nil.
local function liveLease(meta, now)
  local leaseUntil = tonumber(redis.call('HGET', meta, 'leaseUntil') or '0')
  if leaseUntil > now then return leaseUntil end
  return nil
end

-- Take the lease (the caller checked none is live): bump the epoch; returns epoch, leaseUntil.
local function takeLease(meta, now, owner, leaseMs, token)
  local epoch = redis.call('HINCRBY', meta, 'epoch', 1)
  local leaseUntil = now + leaseMs
  redis.call('HSET', meta, 'owner', owner, 'leaseUntil', leaseUntil, 'token', token)
  return epoch, leaseUntil
end

-- What a claim reads: {epoch, leaseUntil, record JSON or "", up to maxEvents unprocessed inbox entries
-- (XRANGE reply), outbox values, incarnation}.
local function readClaim(meta, state, inbox, outbox, epoch, leaseUntil, maxEvents)
  local processed = tonumber(redis.call('HGET', meta, 'processed') or '0')
  local record = redis.call('GET', state) or ''
  local events = redis.call('XRANGE', inbox, (processed + 1) .. '-0', '+', 'COUNT', maxEvents)
  return {epoch, leaseUntil, record, events, redis.call('HVALS', outbox), redis.call('HGET', meta, 'inc') or ''}
end
