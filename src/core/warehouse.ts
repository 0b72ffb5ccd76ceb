// The warehouse contract: loading the lake into a warehouse the way the seed loads Snowflake — raw events into a
// VARIANT-style table with file name and row number (COPY semantics: load history, FORCE, ON_ERROR), plus gold
// tables. The embedded DuckDB warehouse implements it; Snowflake and PostgreSQL can implement the same contract.
import type { Context } from '../cli/context.ts';

/** Per-file error handling, as Snowflake's COPY ON_ERROR: ABORT_STATEMENT / SKIP_FILE / CONTINUE. */
export type OnError = 'abort' | 'skip_file' | 'continue';

export interface WarehouseCapabilities {
  /** Raw events kept as one semi-structured (VARIANT/JSON) column. */
  variantColumn: boolean;
  /** Keeps its own load history, so already loaded files are skipped without a time limit. */
  loadHistory: boolean;
  onError: readonly OnError[];
  /** Can also receive the gold tables. */
  goldTables: boolean;
}

export interface WarehouseLoadOptions {
  /** Reload files even when the load history says they were loaded (their previous rows are replaced). */
  force?: boolean;
  onError?: OnError;
  /** Source of the raw files (default: the warehouse's configured source, e.g. amplitude). */
  source?: string;
  /** Only raw dts in [from, to]. */
  from?: string;
  to?: string;
  /** Also load gold tables (default from config). */
  gold?: boolean;
}

export type FileLoadStatus = 'LOADED' | 'PARTIALLY_LOADED' | 'LOAD_FAILED' | 'SKIPPED';

export interface FileLoadResult {
  /** Raw object key. */
  file: string;
  status: FileLoadStatus;
  rowsLoaded: number;
  errors: number;
  /** First error: line number and reason. */
  firstError?: { line: number | null; reason: string };
}

export interface WarehouseLoadSummary {
  warehouse: string;
  /** Where the data went (a file path, an account/database). */
  target: string;
  table: string;
  files: FileLoadResult[];
  rowsLoaded: number;
  /** Gold tables loaded: table → rows. */
  gold: Record<string, number>;
}

export interface Warehouse {
  readonly kind: string;
  readonly capabilities: WarehouseCapabilities;
  load(ctx: Context, opts?: WarehouseLoadOptions): Promise<WarehouseLoadSummary>;
}
