--[[
  One page of a bucket's work list (the dirty set or the due-timer set), strictly after a position, so
  a scan pages on through the whole list instead of reading its head again and again. Read only.

  The position is the last item of the previous page: its score and member. Sorted sets order ties of
  a score by member bytes; when that member is still there with that score, the page starts right after
  its rank. When it is gone (processed meanwhile) or moved, the page starts at the first member after it
  in (score, member) order, found by a binary search over the members that share its score (bytes are
  compared one by one: Lua's `<` on strings follows the server's locale).

  KEYS[1] index   ZSET (score: due time or dirty time)

  ARGV[1] score of the position, or "" to start at the head
  ARGV[2] member of the position
  ARGV[3] highest score to return (now, for due timers), or "" for no bound
  ARGV[4] page size

  Returns: flat {member, score, member, score, ...}, at most ARGV[4] pairs, in (score, member) order
]]
local limit = tonumber(ARGV[4])
if limit <= 0 then return {} end

-- True when member `a` sorts after member `b` (memcmp order, as Redis orders ties).
local function after(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end

local start = 0
if ARGV[1] ~= '' then
  local score = tonumber(ARGV[1])
  local stored = redis.call('ZSCORE', KEYS[1], ARGV[2])
  if stored and tonumber(stored) == score then
    start = redis.call('ZRANK', KEYS[1], ARGV[2]) + 1
  else
    local lo = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[1])
    local hi = lo + redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1])
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if after(redis.call('ZRANGE', KEYS[1], mid, mid)[1], ARGV[2]) then hi = mid else lo = mid + 1 end
    end
    start = lo
  end
end

local entries = redis.call('ZRANGE', KEYS[1], start, start + limit - 1, 'WITHSCORES')
local max = ARGV[3] ~= '' and tonumber(ARGV[3]) or nil
local page = {}
for i = 1, #entries, 2 do
  if max and tonumber(entries[i + 1]) > max then break end
  page[#page + 1] = entries[i]
  page[#page + 1] = entries[i + 1]
end
return page
