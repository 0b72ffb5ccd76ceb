-- Dedup on uuid within and across the files of one dt, step 1 (narrow): the rows that LOSE, as (filename,
-- file_row_number) of the staged parts. The first arrival wins (server_upload_time, then raw file, then position).
-- Memory stays flat as a dt grows: only 8-byte hashes of the uuids are aggregated (never the wide rows, never the
-- uuid strings of the whole dt), and only rows whose hash repeats (true duplicates plus rare hash collisions,
-- which the window then separates by the real uuid) reach the window.
-- {{parts}}: list of staged Parquet files; {{keep}}: predicate over (filename, _file) dropping rows of files that
-- were re-validated line by line.
SELECT filename, file_row_number
FROM (
  SELECT filename, file_row_number,
         row_number() OVER (PARTITION BY uuid ORDER BY server_upload_time NULLS LAST, _file, filename, file_row_number) AS rn
  FROM read_parquet({{parts}}, filename = true, file_row_number = true)
  WHERE {{keep}}
    AND hash(uuid) IN (
      SELECT hash(uuid) FROM read_parquet({{parts}}, filename = true) WHERE {{keep}} GROUP BY 1 HAVING count(*) > 1
    )
)
WHERE rn > 1
