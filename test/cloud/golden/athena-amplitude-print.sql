-- event days the window touches:
SELECT DISTINCT CAST(CAST(event_time AS DATE) AS VARCHAR) AS event_date
FROM (SELECT * FROM "eventlake"."amplitude_events" WHERE "dt" IN ('2024-01-01', '2024-01-02', '2024-01-03')) AS "cleaned"
WHERE event_time IS NOT NULL
ORDER BY 1;

-- then, per touched event day (shown here as the window's dts):
-- delete objects under s3://lake-bucket/aggregated/amplitude/daily_events/

CREATE TABLE "eventlake"."amplitude_daily_events"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/amplitude/daily_events/',
  partitioned_by = ARRAY['dt']
) AS
SELECT "event_date", "event_type", "platform", "country", "event_count", "user_count", "dt"
FROM (
SELECT
  CAST(event_time AS DATE)                                  AS event_date,
  event_type,
  coalesce(platform, 'unknown')                             AS platform,
  coalesce(country, 'unknown')                              AS country,
  count(DISTINCT uuid)                                      AS event_count,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS user_count,
  CAST(CAST(event_time AS DATE) AS VARCHAR)                 AS dt
FROM "eventlake"."amplitude_events" AS "cleaned"
WHERE event_time >= TIMESTAMP '2024-01-01 00:00:00' AND event_time < TIMESTAMP '2024-01-03 00:00:00'
  AND CAST(CAST(event_time AS DATE) AS VARCHAR) IN ('2024-01-01', '2024-01-02')
GROUP BY 1, 2, 3, 4, 7
) AS "m";

INSERT INTO "eventlake"."amplitude_daily_events" ("event_date", "event_type", "platform", "country", "event_count", "user_count", "dt")
SELECT "event_date", "event_type", "platform", "country", "event_count", "user_count", "dt"
FROM (
SELECT
  CAST(event_time AS DATE)                                  AS event_date,
  event_type,
  coalesce(platform, 'unknown')                             AS platform,
  coalesce(country, 'unknown')                              AS country,
  count(DISTINCT uuid)                                      AS event_count,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS user_count,
  CAST(CAST(event_time AS DATE) AS VARCHAR)                 AS dt
FROM "eventlake"."amplitude_events" AS "cleaned"
WHERE event_time >= TIMESTAMP '2024-01-03 00:00:00' AND event_time < TIMESTAMP '2024-01-04 00:00:00'
  AND CAST(CAST(event_time AS DATE) AS VARCHAR) IN ('2024-01-03')
GROUP BY 1, 2, 3, 4, 7
) AS "m";

-- delete objects under s3://lake-bucket/aggregated/amplitude/daily_active_users/

CREATE TABLE "eventlake"."amplitude_daily_active_users"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/amplitude/daily_active_users/',
  partitioned_by = ARRAY['dt']
) AS
SELECT "event_date", "active_users", "active_devices", "event_count", "dt"
FROM (
SELECT
  CAST(event_time AS DATE)                                  AS event_date,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS active_users,
  count(DISTINCT device_id)                                 AS active_devices,
  count(DISTINCT uuid)                                      AS event_count,
  CAST(CAST(event_time AS DATE) AS VARCHAR)                 AS dt
FROM "eventlake"."amplitude_events" AS "cleaned"
WHERE event_time >= TIMESTAMP '2024-01-01 00:00:00' AND event_time < TIMESTAMP '2024-01-03 00:00:00'
  AND CAST(CAST(event_time AS DATE) AS VARCHAR) IN ('2024-01-01', '2024-01-02')
GROUP BY 1, 5
) AS "m";

INSERT INTO "eventlake"."amplitude_daily_active_users" ("event_date", "active_users", "active_devices", "event_count", "dt")
SELECT "event_date", "active_users", "active_devices", "event_count", "dt"
FROM (
SELECT
  CAST(event_time AS DATE)                                  AS event_date,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS active_users,
  count(DISTINCT device_id)                                 AS active_devices,
  count(DISTINCT uuid)                                      AS event_count,
  CAST(CAST(event_time AS DATE) AS VARCHAR)                 AS dt
FROM "eventlake"."amplitude_events" AS "cleaned"
WHERE event_time >= TIMESTAMP '2024-01-03 00:00:00' AND event_time < TIMESTAMP '2024-01-04 00:00:00'
  AND CAST(CAST(event_time AS DATE) AS VARCHAR) IN ('2024-01-03')
GROUP BY 1, 5
) AS "m";
