-- Event dates (UTC) present in the cleaned partitions that were just rebuilt: the gold dates to recompute.
-- event_time is UTC: TIMESTAMPTZ under a UTC session on DuckDB, a UTC-adjusted Parquet timestamp on Athena, so
-- CAST(... AS DATE) is the UTC day. {{parts}} is a FROM item over only the rebuilt arrival dts.
SELECT DISTINCT CAST(CAST(event_time AS DATE) AS VARCHAR) AS event_date
FROM {{parts}}
WHERE event_time IS NOT NULL
ORDER BY 1
