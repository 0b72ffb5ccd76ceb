-- Event dates (UTC) present in the cleaned partitions that were just rebuilt: the gold dates to recompute.
-- event_time is TIMESTAMPTZ and the layer engine's session time zone is UTC, so CAST(... AS DATE) is the UTC day.
SELECT DISTINCT CAST(event_time AS DATE)::VARCHAR AS event_date
FROM read_parquet({{parts}})
WHERE event_time IS NOT NULL
ORDER BY 1
