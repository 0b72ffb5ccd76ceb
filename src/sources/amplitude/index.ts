// Amplitude source: Export API -> raw (bronze), the `unzip` tool, a local Export API server and an event generator.
export { extractAmplitude, type ExtractOptions, type ExtractSummary, type WindowOutcome, type AmplitudeManifest } from './extract.ts';
export { unzipExport, type UnzipOptions, type UnzipSummary, type UnzippedFile } from './unzip.ts';
export { startAmplitudeDevServer, type DevServerOptions, type AmplitudeDevServer, type Fault, type FaultRequest, type HostileKind } from './dev-server.ts';
export { generateAmplitudeEvents, writeAmplitudeHourlyFiles, writeExportZip, amplitudeTime, type GenerateOptions, type HourlyFilesOptions } from './generate.ts';
export { ExportClient, REGION_BASE_URLS, WindowTooLargeError } from './client.ts';
export { landExportZip, type LandedEntry, type LandResult } from './land.ts';
export { parseBaseName, exportBaseName, apiHour, type ExportEntryName } from './names.ts';
export type { ZipLimits } from './zip-entries.ts';
