-- (fragment, not run alone) The gold user key: the numeric actor id; pre-2015 timeline events have none, so their
-- users get a stable negative surrogate from the lower-cased login (52 bits of its md5: exact in JS numbers, never
-- colliding with real ids, which are positive). {{md5_52:x}} is the dialect's "first 13 hex digits of md5(x) as BIGINT".
coalesce(actor_id, -{{md5_52:lower(actor_login)}})
