-- Storage integration: Snowflake assumes {{role_arn}} to read the stage bucket.
-- IF NOT EXISTS on purpose: re-creating an integration rotates STORAGE_AWS_EXTERNAL_ID and breaks the IAM trust policy.
-- Needs ACCOUNTADMIN (or a role with CREATE INTEGRATION).
CREATE STORAGE INTEGRATION IF NOT EXISTS {{integration}}
  TYPE = EXTERNAL_STAGE
  STORAGE_PROVIDER = 'S3'
  ENABLED = TRUE
  STORAGE_AWS_ROLE_ARN = {{role_arn}}
  STORAGE_ALLOWED_LOCATIONS = ({{stage_url}});
