-- Dedup on uuid, step 2 (streaming rewrite): every staged row except the losers found by cleaned_losers.sql and
-- the rows of re-validated files. The losers table is the only thing held in memory (one entry per duplicate), so
-- the wide rows stream from the staged Parquet straight into the writer.
-- {{parts}}: list of staged Parquet files; {{keep}}: as in cleaned_losers.sql; {{losers}}: table of
-- (filename, file_row_number).
SELECT s.* EXCLUDE (filename, file_row_number)
FROM read_parquet({{parts}}, filename = true, file_row_number = true) AS s
ANTI JOIN {{losers}} AS l USING (filename, file_row_number)
WHERE {{keep}}
