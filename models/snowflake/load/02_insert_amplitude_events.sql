-- Rows of this load into the typed table, one per uuid: duplicates inside the load and uuids already present are skipped
-- (Snowflake's load metadata expires after 64 days, so dedup on uuid is what keeps reruns from duplicating).
INSERT INTO {{typed_table}} ({{typed_column_names}}, {{c_file_name}}, {{c_file_row_number}}, {{c_load_id}})
SELECT {{typed_column_names}}, {{c_file_name}}, {{c_file_row_number}}, {{c_load_id}}
FROM (
  SELECT
{{typed_projection}},
    {{c_file_name}},
    {{c_file_row_number}},
    {{c_load_id}},
    ROW_NUMBER() OVER (PARTITION BY GET({{c_raw}}, 'uuid')::VARCHAR ORDER BY {{c_file_name}}, {{c_file_row_number}}) AS "_RN"
  FROM {{raw_table}}
  WHERE {{c_load_id}} = {{load_id}}
) AS "S"
WHERE "S"."_RN" = 1
  AND "S"."UUID" IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM {{typed_table}} AS "T" WHERE "T"."UUID" = "S"."UUID");
