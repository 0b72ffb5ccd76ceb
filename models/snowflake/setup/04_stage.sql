-- External stage on the python-import/ prefix, read through the storage integration (no keys in Snowflake).
CREATE STAGE IF NOT EXISTS {{stage}}
  URL = {{stage_url}}
  STORAGE_INTEGRATION = {{integration}}
  FILE_FORMAT = (FORMAT_NAME = {{file_format_name}});
