-- Dedup on event id within and across the files of one dt, step 1 (narrow): the (file_idx, line) of every valid row
-- that LOSES (the first occurrence by file order, then line, wins). Memory stays flat as a dt grows: only 8-byte
-- hashes of the ids are aggregated, and only rows whose hash repeats (duplicates plus rare hash collisions, which
-- the window separates by the real id) reach the window. The wide rows are never touched here.
-- Placeholders: {{parsed}} (Parquet glob literal).
SELECT file_idx, line
FROM (
  SELECT file_idx, line, row_number() OVER (PARTITION BY id ORDER BY file_idx, line) AS rn
  FROM read_parquet({{parsed}})
  WHERE reason IS NULL
    AND hash(id) IN (SELECT hash(id) FROM read_parquet({{parsed}}) WHERE reason IS NULL GROUP BY 1 HAVING count(*) > 1)
)
WHERE rn > 1
