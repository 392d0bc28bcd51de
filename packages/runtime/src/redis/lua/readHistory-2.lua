--[[
  Read a page of a convoy's history by absolute index, accounting for entries dropped by the history cap.
  Read-only.

  KEYS[1] meta     HASH  histTrimmed (entries dropped from the head so far)
  KEYS[2] history  LIST of entry JSON

  ARGV[1] first absolute index wanted (0-based); negative -n: the newest n entries (ARGV[2] unused)
  ARGV[2] limit (-1: all)

  Returns: list of entry JSON
]]
local first = tonumber(ARGV[1])
if first < 0 then return redis.call('LRANGE', KEYS[2], first, -1) end
local trimmed = tonumber(redis.call('HGET', KEYS[1], 'histTrimmed') or '0')
local start = first - trimmed
if start < 0 then start = 0 end
local limit = tonumber(ARGV[2])
local stop = -1
if limit >= 0 then
  if limit == 0 then return {} end
  stop = start + limit - 1
end
return redis.call('LRANGE', KEYS[2], start, stop)
