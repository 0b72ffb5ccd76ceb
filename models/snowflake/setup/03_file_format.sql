-- Amplitude export files are gzipped NDJSON; STRIP_OUTER_ARRAY also accepts files holding one JSON array.
CREATE FILE FORMAT IF NOT EXISTS {{file_format}}
  TYPE = JSON
  STRIP_OUTER_ARRAY = TRUE
  COMPRESSION = AUTO;
