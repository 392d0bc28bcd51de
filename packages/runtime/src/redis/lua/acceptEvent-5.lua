--[[
  Accept one event into a convoy: idempotency check, backlog cap, append to the inbox with the next seq,
  idempotency record, mark the convoy dirty. Safe to run twice: every call carries an idempotency key
  (the client's, or its request token when the client sent none), so a resent call finds its record; the
  record names the request that wrote it, so a resent call is not reported as a duplicate.

  KEYS[1] meta    HASH  seq (last accepted), firstAt, processed (last processed seq)
  KEYS[2] inbox   STREAM, entry id <seq>-0, fields e (event JSON), s (source JSON), t (acceptedAt)
  KEYS[3] idem    STRING "<seq>|<request token>|<fingerprint>" with a TTL
  KEYS[4] dirty   ZSET of the convoy's bucket
  KEYS[5] active  ZSET: the bucket's `active` status index of the convoy's type (a new convoy is listed)

  ARGV[1] now (ms)
  ARGV[2] event JSON
  ARGV[3] source JSON
  ARGV[4] request token (unique per accept call): a hit written by another request is a duplicate, a hit
          written by this one is this same call re-sent after a lost reply
  ARGV[5] fingerprint of the request body
  ARGV[6] maxBacklog
  ARGV[7] idempotency record TTL (ms)
  ARGV[8] the convoy's dirty-set member

  Returns: {seq, duplicate (0|1), wake (0|1)}, or IDEMPOTENCY_CONFLICT, or BACKLOG_FULL. wake is 1 when
  this accept made the convoy dirty (the `ZADD NX` added it) and for an idempotency hit; 0 when the convoy
  was already dirty, so a turn is pending or running (its release reports hasMore) or the sweeper wakes it.
]]
local IDEMPOTENCY_CONFLICT = -3
local BACKLOG_FULL = -4

local seen = redis.call('GET', KEYS[3])
if seen then
  local first = string.find(seen, '|', 1, true)
  local second = string.find(seen, '|', first + 1, true)
  local seenSeq = tonumber(string.sub(seen, 1, first - 1))
  local token = ''
  local fingerprint = string.sub(seen, first + 1)
  if second then
    token = string.sub(seen, first + 1, second - 1)
    fingerprint = string.sub(seen, second + 1)
  end
  if fingerprint ~= ARGV[5] then
    return IDEMPOTENCY_CONFLICT
  end
  if token == ARGV[4] then
    return {seenSeq, 0, 1}
  end
  return {seenSeq, 1, 1}
end

local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
if accepted - processed >= tonumber(ARGV[6]) then
  return BACKLOG_FULL
end

local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSETNX', KEYS[1], 'firstAt', ARGV[1])
redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[2], 's', ARGV[3], 't', ARGV[1])
redis.call('SET', KEYS[3], seq .. '|' .. ARGV[4] .. '|' .. ARGV[5], 'PX', ARGV[7])
local wake = redis.call('ZADD', KEYS[4], 'NX', ARGV[1], ARGV[8])
if seq == 1 then
  redis.call('ZADD', KEYS[5], 'NX', ARGV[1], ARGV[8])
end
return {seq, 0, wake}
