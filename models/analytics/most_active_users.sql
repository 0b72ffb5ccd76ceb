-- @description Users with the most events in the window (bots included, flagged by is_bot)
-- @param from date 1970-01-01 first day (inclusive)
-- @param to date 9999-12-31 last day (inclusive)
-- @param repos text[] - only events on these repositories owner/name (default: all)
-- @param limit int 10 number of users
SELECT t.rnk, t.user_id, t.login, t.is_bot, t.events
FROM (
  SELECT u.user_id, u.login, u.is_bot, CAST(SUM(f.event_count) AS BIGINT) AS events,
         ROW_NUMBER() OVER (ORDER BY SUM(f.event_count) DESC, u.user_id) AS rnk
  FROM fact_events f
  JOIN dim_user u ON u.user_id = f.user_id
  WHERE f.dt BETWEEN CAST(:from AS DATE) AND CAST(:to AS DATE)
    AND (CAST(:all_repos AS INTEGER) = 1 OR f.repo_id IN (SELECT repo_id FROM dim_repo WHERE repo_name IN (:repos)))
  GROUP BY u.user_id, u.login, u.is_bot
) t
WHERE t.rnk <= CAST(:limit AS INTEGER)
ORDER BY t.rnk
