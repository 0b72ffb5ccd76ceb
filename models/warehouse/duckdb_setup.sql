-- Embedded warehouse tables. amplitude_raw mirrors the seed's Snowflake table: one VARIANT-like JSON column per event
-- plus the file it came from and its row number (COPY INTO t FROM (SELECT $1, METADATA$FILENAME,
-- METADATA$FILE_ROW_NUMBER ...)). The load history is ours and permanent (Snowflake's lasts 64 days).
CREATE TABLE IF NOT EXISTS {{table}} (
  raw             JSON,
  file_name       VARCHAR NOT NULL,
  file_row_number BIGINT  NOT NULL,
  loaded_at       TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS _eventlake_load_history (
  table_name   VARCHAR NOT NULL,
  file_name    VARCHAR NOT NULL,
  file_size    BIGINT,
  status       VARCHAR NOT NULL,
  rows_loaded  BIGINT NOT NULL,
  errors       BIGINT NOT NULL,
  first_error  VARCHAR,
  loaded_at    TIMESTAMPTZ NOT NULL
);
