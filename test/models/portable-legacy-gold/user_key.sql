-- (fragment, not run alone) The gold user key: the numeric actor id; pre-2015 timeline events have none, so their
-- users get a stable negative surrogate from the lower-cased login (52 bits of its md5: exact in JS numbers, never
-- colliding with real ids, which are positive).
coalesce(actor_id, -CAST(('0x' || substr(md5(lower(actor_login)), 1, 13)) AS BIGINT))
