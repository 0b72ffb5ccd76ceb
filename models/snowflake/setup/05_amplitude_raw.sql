-- One row per exported event, as received (VARIANT), with the file and row it came from.
CREATE TABLE IF NOT EXISTS {{raw_table}} (
  {{c_raw}} VARIANT,
  {{c_file_name}} VARCHAR,
  {{c_file_row_number}} NUMBER(38, 0),
  {{c_load_id}} VARCHAR,
  {{c_loaded_at}} TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP()
);
