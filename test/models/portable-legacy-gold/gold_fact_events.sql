-- fact_events for one dt: event counts per (repo, user, type). Every column is part of the key (warehouses declare
-- it as the primary key), so events without a repository (pre-2015 FollowEvent, GistEvent…) count under repo_id 0,
-- which no dim_repo row has. Placeholders: {{events}} (cleaned Parquet glob of the
-- dt), {{dt}} (date literal), {{user_key}} (user_key.sql), {{out}}, {{codec}}.
COPY (
  SELECT {{dt}} AS dt, CAST(coalesce(repo_id, 0) AS BIGINT) AS repo_id, CAST({{user_key}} AS BIGINT) AS user_id,
         CAST(type AS VARCHAR) AS event_type, CAST(count(*) AS BIGINT) AS event_count
  FROM read_parquet({{events}})
  GROUP BY ALL
  ORDER BY repo_id, user_id, event_type
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
