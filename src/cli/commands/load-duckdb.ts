import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { warehouse, warehousePath } from '../../warehouse/duckdb/duckdb-warehouse.ts';
import { ExitCode } from '../../core/errors.ts';
import type { OnError } from '../../core/warehouse.ts';

export function register(reg: Registrar): void {
  const load = reg.group('load', 'load the lake into a warehouse');
  load
    .command('duckdb')
    .description(
      "the seed's Snowflake load, into the embedded DuckDB warehouse file (engine.duckdb.path): raw events into\n" +
        'amplitude_raw (raw JSON, file_name, file_row_number, loaded_at) with COPY semantics — files already in the load\n' +
        'history are skipped (--force reloads them, replacing their rows), errors reported per file with line and reason —\n' +
        'then the gold tables (aggregated/<domain>/<table> → <domain>_<table>). Exit 4 when some files failed.',
    )
    .option('--force', 'reload files the load history says were loaded')
    .addOption(new Option('--on-error <mode>', 'per-file error handling (default: warehouse.duckdb.onError = abort)').choices(['abort', 'skip_file', 'continue']))
    .option('--source <source>', 'raw source to load (default: warehouse.duckdb.source = amplitude)')
    .option('--from <dt>', 'first raw dt, inclusive')
    .option('--to <dt>', 'last raw dt, inclusive')
    .option('--no-gold', 'skip the gold tables')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { force?: boolean; onError?: OnError; source?: string; from?: string; to?: string; gold: boolean; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const s = await warehouse.load(ctx, { force: o.force, onError: o.onError, source: o.source, from: o.from, to: o.to, gold: o.gold === false ? false : undefined });
      if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else {
        for (const f of s.files)
          process.stdout.write(
            `${f.status.padEnd(16)} ${f.file}: ${f.rowsLoaded} rows${f.errors ? `, ${f.errors} errors (first: line ${f.firstError?.line ?? '?'}: ${f.firstError?.reason})` : ''}\n`,
          );
        for (const [t, n] of Object.entries(s.gold)) process.stdout.write(`gold ${t}: ${n} rows\n`);
        process.stdout.write(`${s.rowsLoaded} rows loaded into ${s.table} in ${warehousePath(ctx)}\n`);
      }
      if (s.files.some((f) => f.status === 'LOAD_FAILED' || f.status === 'PARTIALLY_LOADED')) process.exitCode = ExitCode.PARTIAL;
    });
}
