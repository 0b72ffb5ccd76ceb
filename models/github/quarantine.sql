-- Rejected lines of one dt as NDJSON {"file","line","reason","record"} (the contract's quarantine record shape).
-- Placeholders: {{parsed}}, {{files}} (VALUES list of (file_idx, file path)), {{out}}.
COPY (
  WITH files(file_idx, file) AS (VALUES {{files}})
  SELECT f.file, p.line, p.reason, p.raw AS record
  FROM read_parquet({{parsed}}) p
  JOIN files f ON f.file_idx = p.file_idx
  WHERE p.reason IS NOT NULL
  ORDER BY p.file_idx, p.line
) TO {{out}} (FORMAT JSON);
