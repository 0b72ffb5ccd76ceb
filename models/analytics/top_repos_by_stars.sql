-- @description Repositories that gained the most stars (WatchEvent) in the window
-- @param from date 1970-01-01 first day (inclusive)
-- @param to date 9999-12-31 last day (inclusive)
-- @param repos text[] - only these repositories owner/name (default: all)
-- @param limit int 10 number of repositories
SELECT t.rnk, t.repo_id, t.repo_name, t.stars
FROM (
  SELECT r.repo_id, r.repo_name, CAST(SUM(f.event_count) AS BIGINT) AS stars,
         ROW_NUMBER() OVER (ORDER BY SUM(f.event_count) DESC, r.repo_id) AS rnk
  FROM fact_events f
  JOIN dim_repo r ON r.repo_id = f.repo_id
  WHERE f.event_type = 'WatchEvent'
    AND f.dt BETWEEN CAST(:from AS DATE) AND CAST(:to AS DATE)
    AND (CAST(:all_repos AS INTEGER) = 1 OR r.repo_name IN (:repos))
  GROUP BY r.repo_id, r.repo_name
) t
WHERE t.rnk <= CAST(:limit AS INTEGER)
ORDER BY t.rnk
