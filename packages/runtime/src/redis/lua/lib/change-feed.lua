--[[
  Shared by the scripts that change what a live view shows (commitTurn, commitOperator,
  redriveDeadLetters, discardDeadLetter; pasted in where a script says `--!include change-feed.lua`, by
  scripts.ts): the append to the convoy type's change feed (`RedisChangeFeed`), in the same atomic step
  as the change, so no separate XADD round trip follows the script and no crash in between loses the
  notification.

  On a single Redis the script receives the feed STREAM as a key and the feed's cap. On Cluster the feed
  lives in its own slot (`{feed:<type>}`), which a script touching a convoy's bucket cannot reach: there
  the caller passes a key of the convoy's own slot in the feed's place and a cap of 0, and publishes with
  its own XADD after the script.
]]

-- Append the convoy `id` to the change feed `feed` (entry field `id`, as the feed's reader expects),
-- trimmed like the node's append (`MAXLEN ~ maxLen`). Nothing when `maxLen` is 0 (the caller publishes).
local function publishChange(feed, maxLen, id)
  if tonumber(maxLen) > 0 then
    redis.call('XADD', feed, 'MAXLEN', '~', maxLen, '*', 'id', id)
  end
end
