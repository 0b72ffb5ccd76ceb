CREATE DATABASE IF NOT EXISTS `eventlake`;

CREATE EXTERNAL TABLE IF NOT EXISTS `eventlake`.`github_events` (
  `id` string,
  `repo_id` bigint,
  `payload` string,
  `created_at` timestamp
)
PARTITIONED BY (`dt` string)
STORED AS PARQUET
LOCATION 's3://lake-bucket/cleaned/github/events/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = 'NOW-3YEARS,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://lake-bucket/cleaned/github/events/dt=${dt}/',
  'parquet.compression' = 'SNAPPY'
);

CREATE EXTERNAL TABLE IF NOT EXISTS `eventlake`.`github_dim_repo` (
  `repo_id` bigint
)
STORED AS PARQUET
LOCATION 's3://lake-bucket/aggregated/github/dim_repo/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY');

CREATE OR REPLACE VIEW "eventlake"."fact_events" AS
SELECT "repo_id", "event_count", CAST("dt" AS DATE) AS "dt"
FROM "eventlake"."github_fact_events";
