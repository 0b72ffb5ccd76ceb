-- @description Events per day and event type
-- @param from date 1970-01-01 first day (inclusive)
-- @param to date 9999-12-31 last day (inclusive)
-- @param repos text[] - only events on these repositories owner/name (default: all)
SELECT CAST(d.date AS VARCHAR) AS day, f.event_type, CAST(SUM(f.event_count) AS BIGINT) AS events
FROM fact_events f
JOIN dim_date d ON d.date = f.dt
WHERE f.dt BETWEEN CAST(:from AS DATE) AND CAST(:to AS DATE)
  AND (CAST(:all_repos AS INTEGER) = 1 OR f.repo_id IN (SELECT repo_id FROM dim_repo WHERE repo_name IN (:repos)))
GROUP BY d.date, f.event_type
ORDER BY d.date, events DESC, f.event_type
