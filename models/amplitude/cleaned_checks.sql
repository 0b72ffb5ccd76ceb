-- Per raw file: rows the fast read produced and rows that break the schema's required keys (those files go through
-- the per-line validator so each bad record is quarantined with its line).
SELECT
  _file,
  count(*) AS rows,
  count(*) FILTER (
    -- An object/array read into a VARCHAR column comes back as JSON text; real event types may start with '['
    -- ("[Amplitude] Page Viewed"), so only valid JSON containers count as broken.
    WHERE uuid IS NULL OR uuid = '' OR (left(uuid, 1) IN ('{', '[') AND json_valid(uuid))
       OR event_type IS NULL OR event_type = '' OR (left(event_type, 1) IN ('{', '[') AND json_valid(event_type))
       OR event_time IS NULL
  ) AS bad
FROM read_parquet({{parts}})
GROUP BY _file
