-- STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID go into the trust policy of the role Snowflake assumes.
DESC INTEGRATION {{integration}};
