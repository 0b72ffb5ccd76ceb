CREATE TABLE "eventlake"."fact_events"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/fact_events/',
  partitioned_by = ARRAY['dt']
) AS
SELECT * FROM (
SELECT repo_id, event_type, count(*) AS event_count, dt
FROM "eventlake"."cleaned_github_events"
GROUP BY repo_id, event_type, dt
) AS "src"
WHERE "dt" IN ('2026-11-01', '2026-11-02');

INSERT INTO "eventlake"."fact_events"
SELECT * FROM (
SELECT repo_id, event_type, count(*) AS event_count, dt
FROM "eventlake"."cleaned_github_events"
GROUP BY repo_id, event_type, dt
) AS "src"
WHERE "dt" IN ('2026-11-03');
