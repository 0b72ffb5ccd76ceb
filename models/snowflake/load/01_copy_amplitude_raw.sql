-- Idempotent by Snowflake's load metadata (64 days per table): files already loaded with the same checksum are skipped.
COPY INTO {{raw_table}} ({{c_raw}}, {{c_file_name}}, {{c_file_row_number}}, {{c_load_id}})
  FROM (
    SELECT $1, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, {{load_id}}
    FROM {{stage_path}}
  )
  FILE_FORMAT = (FORMAT_NAME = {{file_format_name}})
  PATTERN = {{pattern}}
  ON_ERROR = {{on_error}};
