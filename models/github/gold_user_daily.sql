-- user_daily per dt: each user key's login (last seen that day), first/last event time and events.
SELECT dt, CAST({{user_key}} AS BIGINT) AS user_id,
       CAST(max_by(actor_login, ROW(created_at, actor_login)) AS VARCHAR) AS login,
       min(created_at) AS first_seen, max(created_at) AS last_seen,
       CAST(count(*) AS BIGINT) AS event_count
FROM {{events}}
GROUP BY 1, 2
ORDER BY dt, user_id
