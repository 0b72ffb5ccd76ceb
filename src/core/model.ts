// The source-model contract: how a source turns raw files into cleaned (silver) tables and gold tables.
// The transform/aggregate framework (src/pipeline/ + src/lake/) owns listing, staging, atomic partition swaps,
// quarantine upload and quality checks; a source model owns only its SQL and per-record validation.
import type { Engine } from './engine.ts';

export type ParquetCodec = 'zstd' | 'snappy';

export interface CleanedBuildArgs {
  engine: Engine;
  /**
   * The partition being built (YYYY-MM-DD). Rows land in the dt of the raw partition they arrived in
   * (Amplitude: server_upload_time hour of the export; GitHub: the GH Archive hour / arrival hour), so a dt
   * is rebuilt from its own raw files only. Each row keeps its event time; quality checks flag rows whose
   * arrival time falls outside the dt.
   */
  dt: string;
  /** Local filesystem paths of the raw .json.gz files for this dt (the framework downloads them first on S3). */
  rawFiles: string[];
  /** Staging folder: write <stagingDir>/<table>/part-0.parquet (any number of part-*.parquet files). */
  stagingDir: string;
  codec: ParquetCodec;
  /** Local NDJSON file to write rejected records to: {"file","line","reason","record"} per line. */
  quarantineFile: string;
}

export interface CleanedBuildResult {
  /** Records read from the raw files (lines, excluding blank lines). */
  inputRecords: number;
  /** Rows written per cleaned table (after dedup). */
  rows: Record<string, number>;
  quarantined: number;
  /** Duplicates removed by dedup (inputRecords = rows[main] + quarantined + duplicates). */
  duplicates: number;
}

export interface AggregateBuildArgs {
  engine: Engine;
  /** The dts to (re)build incrementally. */
  dts: string[];
  /** Local glob-able root of the cleaned layer for this source: <cleanedRoot>/<table>/dt=YYYY-MM-DD/*.parquet
   *  (every cleaned partition of the source, not only `dts`, so builds can look across arrival dts). */
  cleanedRoot: string;
  /** Local root of the CURRENT gold layer for this domain (read-only: <aggregatedRoot>/<table>/[dt=YYYY-MM-DD/]*.parquet),
   *  for incremental builds that merge with what exists (e.g. dims). May not exist yet. */
  aggregatedRoot: string;
  /** Write the new gold here: <stagingDir>/<table>/dt=YYYY-MM-DD/part-0.parquet for each rebuilt dt of a partitioned
   *  table, or <stagingDir>/<table>/part-0.parquet for a whole unpartitioned table. The framework swaps each staged
   *  partition (or whole table) into aggregated/<domain>/<table>/ atomically; partitions not staged stay as they are. */
  stagingDir: string;
  codec: ParquetCodec;
}

export interface SourceModel {
  source: string;
  /** Cleaned tables this source produces; the first is the main event table. */
  cleanedTables: string[];
  buildCleaned(args: CleanedBuildArgs): Promise<CleanedBuildResult>;
  /** Gold tables (names) and builder; optional. */
  goldTables?: string[];
  buildAggregated?(args: AggregateBuildArgs): Promise<Record<string, number>>;
  /** Keys the framework's quality checks use on the main cleaned table (optional; checks skip what is not given). */
  quality?: {
    /** Unique, non-null event key (Amplitude uuid, GitHub id). */
    key?: string;
    /** Columns that must never be null. */
    notNull?: string[];
    /** Arrival-time column: rows whose date differs from the partition dt are reported. */
    arrivalTime?: string;
  };
}
