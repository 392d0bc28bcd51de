--[[
  Drop the index entries of one convoy whose keys retention has expired: its status index entries, its
  dead-letter and waiting index entries, its dirty mark and its entry in the expiring index, in one atomic step that
  first checks the convoy is really gone (a convoy re-created under the same id meanwhile keeps its
  entries; its stale expiring entry is dropped). Safe to run twice.

  KEYS[1] meta     HASH of the convoy
  KEYS[2] expiring ZSET of the bucket and type: finished convoys with a retention (score: expiry, server ms)
  KEYS[3] dirty    ZSET of the bucket
  KEYS[4..8]       the bucket's status index ZSETs of the convoy's type (`convoyStatuses` order)
  KEYS[9] dlqidx   ZSET of the bucket: convoys of the type holding dead letters
  KEYS[10] waiting ZSET of the bucket and type: convoys with unprocessed events

  ARGV[1] the convoy's index member

  Returns: 1 when the entries were dropped, 0 when the convoy still exists
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('PTTL', KEYS[1]) == -1 then
    redis.call('ZREM', KEYS[2], ARGV[1])
  end
  return 0
end
for k = 2, 10 do
  redis.call('ZREM', KEYS[k], ARGV[1])
end
return 1
