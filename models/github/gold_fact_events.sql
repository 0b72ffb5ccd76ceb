-- fact_events for one dt: event counts per (repo, user, type). Placeholders: {{events}} (cleaned Parquet glob of the
-- dt), {{dt}} (date literal), {{user_key}} (user_key.sql), {{out}}, {{codec}}.
COPY (
  SELECT {{dt}} AS dt, CAST(repo_id AS BIGINT) AS repo_id, CAST({{user_key}} AS BIGINT) AS user_id,
         CAST(type AS VARCHAR) AS event_type, CAST(count(*) AS BIGINT) AS event_count
  FROM read_parquet({{events}})
  GROUP BY ALL
  ORDER BY repo_id, user_id, event_type
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
