-- Dedup on uuid within and across the files of one dt: the first arrival wins (server_upload_time, then raw file,
-- then position). Only duplicated uuids enter the window, so a clean batch costs one hash pass.
WITH src AS (
  SELECT * FROM read_parquet({{parts}}, filename = true, file_row_number = true)
  -- Rows of a file that failed the required-key check are dropped from the FAST parts only: the same file's
  -- validated lines come back in their own part with the same _file label and must stay.
  WHERE NOT (list_contains({{fastParts}}, filename) AND list_contains({{excluded}}, _file))
),
dup AS (SELECT uuid FROM src GROUP BY uuid HAVING count(*) > 1),
losers AS (
  SELECT filename, file_row_number FROM (
    SELECT s.filename, s.file_row_number,
           row_number() OVER (PARTITION BY s.uuid ORDER BY s.server_upload_time NULLS LAST, s._file, s.filename, s.file_row_number) AS rn
    FROM src s SEMI JOIN dup USING (uuid)
  ) WHERE rn > 1
)
SELECT src.* EXCLUDE (filename, file_row_number)
FROM src ANTI JOIN losers USING (filename, file_row_number)
