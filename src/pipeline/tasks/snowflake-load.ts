// Task kind "snowflake-load": COPY INTO amplitude_raw from the external stage (see src/warehouse/snowflake/tasks.ts).
export { snowflakeLoadTask as task } from '../../warehouse/snowflake/tasks.ts';
