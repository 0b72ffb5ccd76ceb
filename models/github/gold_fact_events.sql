-- fact_events per dt: event counts per (repo, user, type). Every column is part of the key (warehouses declare
-- it as the primary key), so events without a repository (pre-2015 FollowEvent, GistEvent…) count under repo_id 0,
-- which no dim_repo row has. Portable (DuckDB and Athena/Trino, see src/models/github/gold-sql.ts): {{events}} is the
-- cleaned events of the dts being built, with their dt column; {{user_key}} is user_key.sql.
SELECT dt, CAST(coalesce(repo_id, 0) AS BIGINT) AS repo_id, CAST({{user_key}} AS BIGINT) AS user_id,
       CAST(type AS VARCHAR) AS event_type, CAST(count(*) AS BIGINT) AS event_count
FROM {{events}}
GROUP BY 1, 2, 3, 4
ORDER BY dt, repo_id, user_id, event_type
