// GitHub sources: GH Archive backfill, Events API poller, local dev servers and the event generator.
export { extractGhArchive, type ExtractGhArchiveOptions, type ExtractGhArchiveResult, type GhArchiveManifest, type HourOutcome } from './gharchive.ts';
export { pollGithub, parseScope, type PollGithubOptions, type PollGithubResult, type ApiEventBatchManifest } from './events-api.ts';
export { startGithubDevServers, type GithubDevServerOptions, type GithubDevServers, type Fault, type FaultKind } from './dev-servers.ts';
export { generateGithubEvents, writeGharchiveHour, writeGharchiveSample, TRIMMED_PAYLOADS_SINCE, type GithubEvent, type GenerateOptions, type SampleOptions } from './generate.ts';
export { gharchiveFileName, gharchiveBatchId, gharchiveWindow, parseGharchiveFileName, SOURCE } from './names.ts';
