-- Per raw file: rows the fast read produced and rows that break the schema's required keys (those files go through
-- the per-line validator so each bad record is quarantined with its line).
SELECT
  _file,
  count(*) AS rows,
  count(*) FILTER (
    WHERE uuid IS NULL OR uuid = '' OR left(uuid, 1) IN ('{', '[')
       OR event_type IS NULL OR event_type = '' OR left(event_type, 1) IN ('{', '[')
       OR event_time IS NULL
  ) AS bad
FROM read_parquet({{parts}})
GROUP BY _file
