-- Event dates (UTC) present in the cleaned partitions that were just rebuilt: the gold dates to recompute.
SELECT DISTINCT CAST(timezone('UTC', event_time) AS DATE)::VARCHAR AS event_date
FROM read_parquet({{parts}})
WHERE event_time IS NOT NULL
ORDER BY 1
