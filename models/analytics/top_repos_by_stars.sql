-- @description Repositories that gained the most stars (WatchEvent) in the window
-- @param from date 1970-01-01 first day (inclusive)
-- @param to date 9999-12-31 last day (inclusive)
-- @param repos text[] - only these repositories owner/name (default: all)
-- @param limit int 10 number of repositories
-- Aggregate and rank on the fact table alone, then join the dimension for the few rows kept. repo_id 0 (events without
-- a repository) has no dim_repo row and is never ranked.
WITH per_repo AS (
  SELECT f.repo_id, SUM(f.event_count) AS stars
  FROM fact_events f
  WHERE f.event_type = 'WatchEvent'
    AND f.repo_id <> 0
    AND f.dt BETWEEN CAST(:from AS DATE) AND CAST(:to AS DATE)
    AND (CAST(:all_repos AS INTEGER) = 1 OR f.repo_id IN (SELECT repo_id FROM dim_repo WHERE repo_name IN (:repos)))
  GROUP BY f.repo_id
),
ranked AS (
  SELECT repo_id, stars, ROW_NUMBER() OVER (ORDER BY stars DESC, repo_id) AS rnk FROM per_repo
)
SELECT r.rnk, r.repo_id, d.repo_name, CAST(r.stars AS BIGINT) AS stars
FROM ranked r
JOIN dim_repo d ON d.repo_id = r.repo_id
WHERE r.rnk <= CAST(:limit AS INTEGER)
ORDER BY r.rnk
