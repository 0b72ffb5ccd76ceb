-- dim_date: a continuous calendar from the first to the last dt of fact_events (day_of_week: ISO, Monday = 1).
COPY (
  WITH bounds AS (SELECT min(dt) AS lo, max(dt) AS hi FROM read_parquet({{fact_events}})),
  days AS (
    SELECT CAST(d AS DATE) AS date
    FROM bounds, generate_series(CAST(bounds.lo AS TIMESTAMP), CAST(bounds.hi AS TIMESTAMP), INTERVAL 1 DAY) AS g(d)
    WHERE bounds.lo IS NOT NULL
  )
  SELECT CAST(year(date) * 10000 + month(date) * 100 + day(date) AS INTEGER) AS date_key, date,
         CAST(year(date) AS INTEGER) AS year, CAST(quarter(date) AS INTEGER) AS quarter,
         CAST(month(date) AS INTEGER) AS month, CAST(day(date) AS INTEGER) AS day,
         CAST(isodow(date) AS INTEGER) AS day_of_week, isodow(date) >= 6 AS is_weekend
  FROM days
  ORDER BY date
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
