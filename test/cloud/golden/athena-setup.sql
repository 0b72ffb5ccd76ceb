CREATE DATABASE IF NOT EXISTS `eventlake`;

CREATE EXTERNAL TABLE IF NOT EXISTS `eventlake`.`cleaned_github_events` (
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

CREATE EXTERNAL TABLE IF NOT EXISTS `eventlake`.`aggregated_github_dim_repo` (
  `repo_id` bigint
)
STORED AS PARQUET
LOCATION 's3://lake-bucket/aggregated/github/dim_repo/'
TBLPROPERTIES ('parquet.compression' = 'SNAPPY');
