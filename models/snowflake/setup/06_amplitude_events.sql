-- Typed columns per Amplitude's Export API event schema; one row per uuid (dedup key), JSON objects kept as VARIANT.
CREATE TABLE IF NOT EXISTS {{typed_table}} (
{{typed_columns}},
  {{c_file_name}} VARCHAR,
  {{c_file_row_number}} NUMBER(38, 0),
  {{c_load_id}} VARCHAR
);
