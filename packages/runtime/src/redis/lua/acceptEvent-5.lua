--[[
  Accept one event into a convoy: idempotency check, backlog cap, append to the inbox with the next seq,
  idempotency record, mark the convoy dirty. Safe to run twice: every call carries an idempotency key
  (the client's, or a per-request token when the client sent none), so a resent call finds its record.

  KEYS[1] meta    HASH  seq (last accepted), firstAt, processed (last processed seq)
  KEYS[2] inbox   STREAM, entry id <seq>-0, fields e (event JSON), s (source JSON), t (acceptedAt)
  KEYS[3] idem    STRING "<seq>|<fingerprint>" with a TTL
  KEYS[4] dirty   ZSET of the convoy's bucket
  KEYS[5] active  ZSET: the bucket's `active` status index of the convoy's type (a new convoy is listed)

  ARGV[1] now (ms)
  ARGV[2] event JSON
  ARGV[3] source JSON
  ARGV[4] idempotency mode: "client" (a client key: a hit is a duplicate) or "request" (a per-request token:
          a hit is this same request resent, not a duplicate)
  ARGV[5] fingerprint of the request body
  ARGV[6] maxBacklog
  ARGV[7] idempotency record TTL (ms)
  ARGV[8] the convoy's dirty-set member

  Returns: {seq, duplicate (0|1)}, or IDEMPOTENCY_CONFLICT, or BACKLOG_FULL
]]
local IDEMPOTENCY_CONFLICT = -3
local BACKLOG_FULL = -4

local seen = redis.call('GET', KEYS[3])
if seen then
  local sep = string.find(seen, '|', 1, true)
  local seenSeq = tonumber(string.sub(seen, 1, sep - 1))
  if string.sub(seen, sep + 1) ~= ARGV[5] then
    return IDEMPOTENCY_CONFLICT
  end
  if ARGV[4] == 'client' then
    return {seenSeq, 1}
  end
  return {seenSeq, 0}
end

local accepted = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local processed = tonumber(redis.call('HGET', KEYS[1], 'processed') or '0')
if accepted - processed >= tonumber(ARGV[6]) then
  return BACKLOG_FULL
end

local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSETNX', KEYS[1], 'firstAt', ARGV[1])
redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[2], 's', ARGV[3], 't', ARGV[1])
redis.call('SET', KEYS[3], seq .. '|' .. ARGV[5], 'PX', ARGV[7])
redis.call('ZADD', KEYS[4], 'NX', ARGV[1], ARGV[8])
if seq == 1 then
  redis.call('ZADD', KEYS[5], 'NX', ARGV[1], ARGV[8])
end
return {seq, 0}
