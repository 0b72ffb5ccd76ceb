-- @description Users with the most events in the window (bots included, flagged by is_bot)
-- @param from date 1970-01-01 first day (inclusive)
-- @param to date 9999-12-31 last day (inclusive)
-- @param repos text[] - only events on these repositories owner/name (default: all)
-- @param limit int 10 number of users
-- Aggregate and rank on the fact table alone, then join the dimension for the few rows kept.
WITH per_user AS (
  SELECT f.user_id, SUM(f.event_count) AS events
  FROM fact_events f
  WHERE f.dt BETWEEN CAST(:from AS DATE) AND CAST(:to AS DATE)
    AND (CAST(:all_repos AS INTEGER) = 1 OR f.repo_id IN (SELECT repo_id FROM dim_repo WHERE repo_name IN (:repos)))
  GROUP BY f.user_id
),
ranked AS (
  SELECT user_id, events, ROW_NUMBER() OVER (ORDER BY events DESC, user_id) AS rnk FROM per_user
)
SELECT r.rnk, r.user_id, u.login, u.is_bot, CAST(r.events AS BIGINT) AS events
FROM ranked r
JOIN dim_user u ON u.user_id = r.user_id
WHERE r.rnk <= CAST(:limit AS INTEGER)
ORDER BY r.rnk
