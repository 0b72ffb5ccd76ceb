// Task kind "stage-amplitude": copy raw Amplitude files to the Snowflake stage prefix (see src/warehouse/snowflake/tasks.ts).
export { stageAmplitudeTask as task } from '../../warehouse/snowflake/tasks.ts';
