-- @description Events per day and repository (repositories are keyed by id: a name reused by another id is another repo)
-- @param from date 1970-01-01 first day (inclusive)
-- @param to date 9999-12-31 last day (inclusive)
-- @param repos text[] - repository names owner/name (default: all repositories)
SELECT CAST(d.date AS VARCHAR) AS day, r.repo_id, r.repo_name, CAST(SUM(f.event_count) AS BIGINT) AS events
FROM fact_events f
JOIN dim_date d ON d.date = f.dt
JOIN dim_repo r ON r.repo_id = f.repo_id
WHERE f.dt BETWEEN CAST(:from AS DATE) AND CAST(:to AS DATE)
  AND (CAST(:all_repos AS INTEGER) = 1 OR r.repo_name IN (:repos))
GROUP BY d.date, r.repo_id, r.repo_name
ORDER BY d.date, events DESC, r.repo_id
