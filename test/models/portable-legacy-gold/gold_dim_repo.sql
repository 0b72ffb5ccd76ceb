-- dim_repo: one row per repo id (a name reused by another id is another repo); the current name is the one seen last.
COPY (
  SELECT CAST(repo_id AS BIGINT) AS repo_id,
         CAST(arg_max(repo_name, (last_seen, repo_name)) AS VARCHAR) AS repo_name,
         CAST(split_part(arg_max(repo_name, (last_seen, repo_name)), '/', 1) AS VARCHAR) AS owner_login,
         min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM read_parquet({{repo_daily}})
  GROUP BY repo_id
  ORDER BY repo_id
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
