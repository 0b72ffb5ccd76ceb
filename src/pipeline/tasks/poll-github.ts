// Task kind "poll-github": one poll of the GitHub Events API (see src/sources/github/tasks.ts).
export { pollGithubTask as task } from '../../sources/github/tasks.ts';
