-- Gold on Athena: fact_events for one UTC day from silver github_events.
-- Run by the Step Functions "Aggregate" step after the dt partition was cleared (reruns replace).
-- The one positional parameter is the dt ('YYYY-MM-DD'), bound by Athena ExecutionParameters.
INSERT INTO fact_events
SELECT repo_id, actor_id AS user_id, type AS event_type, count(*) AS event_count, dt
FROM github_events
WHERE dt = ?
GROUP BY repo_id, actor_id, type, dt
