-- repo_daily for one dt: what the dt saw of each repo id (the name it had last that day, first/last event time, events,
-- stars). dim_repo is rebuilt from all repo_daily partitions, so rebuilding one dt never leaves stale first/last values.
COPY (
  SELECT {{dt}} AS dt, CAST(repo_id AS BIGINT) AS repo_id,
         CAST(arg_max(repo_name, (created_at, repo_name)) AS VARCHAR) AS repo_name,
         min(created_at) AS first_seen, max(created_at) AS last_seen,
         CAST(count(*) AS BIGINT) AS event_count,
         CAST(count(*) FILTER (WHERE is_star) AS BIGINT) AS stars
  FROM read_parquet({{events}})
  WHERE repo_id IS NOT NULL
  GROUP BY repo_id
  ORDER BY repo_id
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
