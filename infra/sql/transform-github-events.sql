-- Silver on Athena: one UTC day of raw GitHub events -> github_events (Parquet, dt partition), the columns and order of
-- the embedded cleaned model (models/github/events.sql; test/infra/athena-sql.test.ts checks them against
-- infra/lib/catalog-tables.ts, which test/infra/catalog-schema.test.ts checks against the model's real output).
-- Run by the Step Functions "Transform" step after the dt partition was cleared (reruns replace, never duplicate).
-- The one positional parameter is the dt ('YYYY-MM-DD'), bound by Athena ExecutionParameters. Duplicate ids within
-- the day keep one row. Events API format only (GH Archive since 2015): the pre-2015 timeline format, quarantine and
-- source_line lineage are the embedded transform's (`eventlake transform`); source_file here is the S3 URL ("$path").
INSERT INTO github_events
SELECT id, id_synthetic, source_format, type, actor_id, actor_login, repo_id, repo_name, org_id, org_login, created_at, public, payload,
  payload_era, action, ref, ref_type, number, push_size, push_distinct_size, release_tag, review_state, is_star, repo_stargazers,
  source_file, source_line, dt
FROM (
  SELECT
    id,
    false AS id_synthetic,
    'events_api' AS source_format,
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
    json_extract_scalar(payload, '$.action') AS action,
    json_extract_scalar(payload, '$.ref') AS ref,
    json_extract_scalar(payload, '$.ref_type') AS ref_type,
    try_cast(coalesce(json_extract_scalar(payload, '$.number'), json_extract_scalar(payload, '$.pull_request.number'), json_extract_scalar(payload, '$.issue.number')) AS bigint) AS number,
    try_cast(json_extract_scalar(payload, '$.size') AS bigint) AS push_size,
    try_cast(json_extract_scalar(payload, '$.distinct_size') AS bigint) AS push_distinct_size,
    coalesce(json_extract_scalar(payload, '$.release.tag_name'), CASE WHEN json_extract_scalar(payload, '$.ref_type') = 'tag' THEN json_extract_scalar(payload, '$.ref') END) AS release_tag,
    json_extract_scalar(payload, '$.review.state') AS review_state,
    type = 'WatchEvent' AS is_star,
    CAST(NULL AS bigint) AS repo_stargazers,
    "$path" AS source_file,
    CAST(NULL AS bigint) AS source_line,
    dt,
    row_number() OVER (PARTITION BY id ORDER BY hour, "$path") AS rn
  FROM raw_github_events
  WHERE dt = ? AND id IS NOT NULL
)
WHERE rn = 1
