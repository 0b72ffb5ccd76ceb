-- dim_date: a continuous calendar from the first to the last dt of fact_events (day_of_week: ISO, Monday = 1).
-- {{fact_events}} is every fact_events partition; {{day_series:lo,hi}} yields one row per day as g(d).
WITH bounds AS (SELECT CAST(min(dt) AS DATE) AS lo, CAST(max(dt) AS DATE) AS hi FROM {{fact_events}}),
days AS (
  SELECT CAST(d AS DATE) AS "date"
  FROM bounds CROSS JOIN {{day_series:bounds.lo,bounds.hi}}
  WHERE bounds.lo IS NOT NULL
)
SELECT CAST(year("date") * 10000 + month("date") * 100 + day("date") AS INTEGER) AS date_key, "date",
       CAST(year("date") AS INTEGER) AS year, CAST(quarter("date") AS INTEGER) AS quarter,
       CAST(month("date") AS INTEGER) AS month, CAST(day("date") AS INTEGER) AS day,
       CAST({{isodow}}("date") AS INTEGER) AS day_of_week, {{isodow}}("date") >= 6 AS is_weekend
FROM days
ORDER BY "date"
