-- Silver on Athena: one UTC day of raw GitHub events -> typed github_events (Parquet, dt partition).
-- Run by the Step Functions "Transform" step after the dt partition was cleared (reruns replace, never duplicate).
-- The one positional parameter is the dt ('YYYY-MM-DD'), bound by Athena ExecutionParameters. Duplicate ids within the day keep one row.
INSERT INTO github_events
SELECT id, type, actor_id, actor_login, repo_id, repo_name, org_id, org_login, created_at, public, payload, payload_era, dt
FROM (
  SELECT
    id,
    type,
    CAST(json_extract_scalar(actor, '$.id') AS bigint) AS actor_id,
    json_extract_scalar(actor, '$.login') AS actor_login,
    CAST(json_extract_scalar(repo, '$.id') AS bigint) AS repo_id,
    json_extract_scalar(repo, '$.name') AS repo_name,
    CAST(json_extract_scalar(org, '$.id') AS bigint) AS org_id,
    json_extract_scalar(org, '$.login') AS org_login,
    CAST(from_iso8601_timestamp(created_at) AS timestamp) AS created_at,
    public,
    payload,
    CASE WHEN from_iso8601_timestamp(created_at) >= TIMESTAMP '2025-10-07 00:00:00 UTC' THEN 'trimmed' ELSE 'full' END AS payload_era,
    dt,
    row_number() OVER (PARTITION BY id ORDER BY hour) AS rn
  FROM raw_github_events
  WHERE dt = ? AND id IS NOT NULL
)
WHERE rn = 1
