-- dim_repo: one row per repo id (a name reused by another id is another repo); the current name is the one seen last.
-- {{repo_daily}} is every repo_daily partition.
SELECT CAST(repo_id AS BIGINT) AS repo_id,
       CAST(max_by(repo_name, ROW(last_seen, repo_name)) AS VARCHAR) AS repo_name,
       CAST(split_part(max_by(repo_name, ROW(last_seen, repo_name)), '/', 1) AS VARCHAR) AS owner_login,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM {{repo_daily}}
GROUP BY repo_id
ORDER BY repo_id
