-- user_daily for one dt: each user key's login (last seen that day), first/last event time and events.
COPY (
  SELECT {{dt}} AS dt, CAST({{user_key}} AS BIGINT) AS user_id,
         CAST(arg_max(actor_login, (created_at, actor_login)) AS VARCHAR) AS login,
         min(created_at) AS first_seen, max(created_at) AS last_seen,
         CAST(count(*) AS BIGINT) AS event_count
  FROM read_parquet({{events}})
  GROUP BY ALL
  ORDER BY user_id
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
