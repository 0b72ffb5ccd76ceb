-- delete objects under s3://lake-bucket/aggregated/github/fact_events/

CREATE TABLE "eventlake"."github_fact_events"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/fact_events/',
  partitioned_by = ARRAY['dt']
) AS
SELECT "repo_id", "user_id", "event_type", "event_count", "dt"
FROM (
SELECT dt, CAST(coalesce(repo_id, 0) AS BIGINT) AS repo_id, CAST(coalesce(actor_id, -from_base(substr(to_hex(md5(to_utf8(lower(actor_login)))), 1, 13), 16)) AS BIGINT) AS user_id,
       CAST(type AS VARCHAR) AS event_type, CAST(count(*) AS BIGINT) AS event_count
FROM (SELECT * FROM "eventlake"."github_events" WHERE "dt" IN ('2024-01-01', '2024-01-02')) AS "events"
GROUP BY 1, 2, 3, 4
ORDER BY dt, repo_id, user_id, event_type
) AS "m";

INSERT INTO "eventlake"."github_fact_events" ("repo_id", "user_id", "event_type", "event_count", "dt")
SELECT "repo_id", "user_id", "event_type", "event_count", "dt"
FROM (
SELECT dt, CAST(coalesce(repo_id, 0) AS BIGINT) AS repo_id, CAST(coalesce(actor_id, -from_base(substr(to_hex(md5(to_utf8(lower(actor_login)))), 1, 13), 16)) AS BIGINT) AS user_id,
       CAST(type AS VARCHAR) AS event_type, CAST(count(*) AS BIGINT) AS event_count
FROM (SELECT * FROM "eventlake"."github_events" WHERE "dt" IN ('2024-01-03')) AS "events"
GROUP BY 1, 2, 3, 4
ORDER BY dt, repo_id, user_id, event_type
) AS "m";

-- delete objects under s3://lake-bucket/aggregated/github/repo_daily/

CREATE TABLE "eventlake"."github_repo_daily"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/repo_daily/',
  partitioned_by = ARRAY['dt']
) AS
SELECT "repo_id", "repo_name", "first_seen", "last_seen", "event_count", "stars", "dt"
FROM (
SELECT dt, CAST(repo_id AS BIGINT) AS repo_id,
       CAST(max_by(repo_name, ROW(created_at, repo_name)) AS VARCHAR) AS repo_name,
       min(created_at) AS first_seen, max(created_at) AS last_seen,
       CAST(count(*) AS BIGINT) AS event_count,
       CAST(count(*) FILTER (WHERE is_star) AS BIGINT) AS stars
FROM (SELECT * FROM "eventlake"."github_events" WHERE "dt" IN ('2024-01-01', '2024-01-02')) AS "events"
WHERE repo_id IS NOT NULL
GROUP BY dt, repo_id
ORDER BY dt, repo_id
) AS "m";

INSERT INTO "eventlake"."github_repo_daily" ("repo_id", "repo_name", "first_seen", "last_seen", "event_count", "stars", "dt")
SELECT "repo_id", "repo_name", "first_seen", "last_seen", "event_count", "stars", "dt"
FROM (
SELECT dt, CAST(repo_id AS BIGINT) AS repo_id,
       CAST(max_by(repo_name, ROW(created_at, repo_name)) AS VARCHAR) AS repo_name,
       min(created_at) AS first_seen, max(created_at) AS last_seen,
       CAST(count(*) AS BIGINT) AS event_count,
       CAST(count(*) FILTER (WHERE is_star) AS BIGINT) AS stars
FROM (SELECT * FROM "eventlake"."github_events" WHERE "dt" IN ('2024-01-03')) AS "events"
WHERE repo_id IS NOT NULL
GROUP BY dt, repo_id
ORDER BY dt, repo_id
) AS "m";

-- delete objects under s3://lake-bucket/aggregated/github/user_daily/

CREATE TABLE "eventlake"."github_user_daily"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/user_daily/',
  partitioned_by = ARRAY['dt']
) AS
SELECT "user_id", "login", "first_seen", "last_seen", "event_count", "dt"
FROM (
SELECT dt, CAST(coalesce(actor_id, -from_base(substr(to_hex(md5(to_utf8(lower(actor_login)))), 1, 13), 16)) AS BIGINT) AS user_id,
       CAST(max_by(actor_login, ROW(created_at, actor_login)) AS VARCHAR) AS login,
       min(created_at) AS first_seen, max(created_at) AS last_seen,
       CAST(count(*) AS BIGINT) AS event_count
FROM (SELECT * FROM "eventlake"."github_events" WHERE "dt" IN ('2024-01-01', '2024-01-02')) AS "events"
GROUP BY 1, 2
ORDER BY dt, user_id
) AS "m";

INSERT INTO "eventlake"."github_user_daily" ("user_id", "login", "first_seen", "last_seen", "event_count", "dt")
SELECT "user_id", "login", "first_seen", "last_seen", "event_count", "dt"
FROM (
SELECT dt, CAST(coalesce(actor_id, -from_base(substr(to_hex(md5(to_utf8(lower(actor_login)))), 1, 13), 16)) AS BIGINT) AS user_id,
       CAST(max_by(actor_login, ROW(created_at, actor_login)) AS VARCHAR) AS login,
       min(created_at) AS first_seen, max(created_at) AS last_seen,
       CAST(count(*) AS BIGINT) AS event_count
FROM (SELECT * FROM "eventlake"."github_events" WHERE "dt" IN ('2024-01-03')) AS "events"
GROUP BY 1, 2
ORDER BY dt, user_id
) AS "m";

-- delete objects under s3://lake-bucket/aggregated/github/dim_repo/

CREATE TABLE "eventlake"."github_dim_repo"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/dim_repo/'
) AS
SELECT "repo_id", "repo_name", "owner_login", "first_seen", "last_seen"
FROM (
SELECT CAST(repo_id AS BIGINT) AS repo_id,
       CAST(max_by(repo_name, ROW(last_seen, repo_name)) AS VARCHAR) AS repo_name,
       CAST(split_part(max_by(repo_name, ROW(last_seen, repo_name)), '/', 1) AS VARCHAR) AS owner_login,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM "eventlake"."github_repo_daily" AS "repo_daily"
GROUP BY repo_id
ORDER BY repo_id
) AS "m";

-- delete objects under s3://lake-bucket/aggregated/github/dim_user/

CREATE TABLE "eventlake"."github_dim_user"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/dim_user/'
) AS
SELECT "user_id", "login", "first_seen", "last_seen", "is_bot"
FROM (
SELECT CAST(user_id AS BIGINT) AS user_id, CAST(login AS VARCHAR) AS login, first_seen, last_seen,
       regexp_like(lower(login), '(\[bot\]$)|([-_.]bot$)') AS is_bot
FROM (
  SELECT user_id, max_by(login, ROW(last_seen, login)) AS login, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM "eventlake"."github_user_daily" AS "user_daily"
  GROUP BY user_id
) AS u
ORDER BY user_id
) AS "m";

-- delete objects under s3://lake-bucket/aggregated/github/dim_date/

CREATE TABLE "eventlake"."github_dim_date"
WITH (
  format = 'PARQUET',
  write_compression = 'SNAPPY',
  external_location = 's3://lake-bucket/aggregated/github/dim_date/'
) AS
SELECT "date_key", "date", "year", "quarter", "month", "day", "day_of_week", "is_weekend"
FROM (
WITH bounds AS (SELECT CAST(min(dt) AS DATE) AS lo, CAST(max(dt) AS DATE) AS hi FROM "eventlake"."github_fact_events" AS "fact_events"),
days AS (
  SELECT CAST(d AS DATE) AS "date"
  FROM bounds CROSS JOIN UNNEST(sequence(bounds.lo, bounds.hi, INTERVAL '1' DAY)) AS g(d)
  WHERE bounds.lo IS NOT NULL
)
SELECT CAST(year("date") * 10000 + month("date") * 100 + day("date") AS INTEGER) AS date_key, "date",
       CAST(year("date") AS INTEGER) AS year, CAST(quarter("date") AS INTEGER) AS quarter,
       CAST(month("date") AS INTEGER) AS month, CAST(day("date") AS INTEGER) AS day,
       CAST(day_of_week("date") AS INTEGER) AS day_of_week, day_of_week("date") >= 6 AS is_weekend
FROM days
ORDER BY "date"
) AS "m";
