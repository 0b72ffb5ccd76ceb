// The embedded warehouse: the seed's Snowflake load reproduced in a DuckDB file (engine.duckdb.path).
// `amplitude_raw` gets one JSON value per raw line with file name and row number, with COPY semantics:
// - load history: a file already LOADED/PARTIALLY_LOADED (same key and size) is skipped; --force reloads it and
//   replaces its earlier rows (never duplicates);
// - ON_ERROR per file: abort (nothing from this load is kept, the error names file/line), skip_file (a file with any
//   bad line loads nothing), continue (good lines load, bad lines are counted and reported).
// Each file is read by DuckDB directly (read_ndjson_objects keeps line order; fast path); a file DuckDB rejects is
// re-read line by line to find exactly which lines are bad.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../../cli/context.ts';
import type { Engine } from '../../core/engine.ts';
import { EventlakeError } from '../../core/errors.ts';
import type { FileLoadResult, Warehouse, WarehouseLoadOptions, WarehouseLoadSummary } from '../../core/warehouse.ts';
import { DuckDbEngine, sqlIdent, sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { localCopies, rawKeysByDt } from '../../layers/lake-io.ts';
import { decodeUtf8, isBlank, scanGzipLines } from '../../layers/ndjson-lines.ts';
import { modelSql, render } from '../../layers/sql-files.ts';
import { discoverLakeTables } from '../../serve/lake-views.ts';
import { listAll } from '../../core/storage.ts';

export function warehousePath(ctx: Context): string {
  const p = ctx.loaded.config.engine.duckdb.path;
  return isAbsolute(p) ? p : resolve(dirname(ctx.loaded.lakeRoot), p);
}

interface BadLine {
  line: number | null;
  reason: string;
}

/** Line-by-line pass over one raw file: writes {"n","raw"} for good lines to `out`, returns bad lines. */
async function scanFile(path: string, out: string): Promise<{ good: number; bad: BadLine[] }> {
  const w = createWriteStream(out);
  const bad: BadLine[] = [];
  let good = 0;
  let row = 0; // record ordinal (blank lines not counted), as the fast path's row_number()
  const res = await scanGzipLines(path, async ({ line, bytes, truncated }) => {
    if (isBlank(bytes)) return;
    row++;
    const text = decodeUtf8(bytes);
    if (text === undefined) return void bad.push({ line, reason: 'invalid UTF-8' });
    try {
      JSON.parse(text);
    } catch (e) {
      return void bad.push({ line, reason: `malformed JSON${truncated ? ' (truncated line)' : ''}: ${(e as Error).message}` });
    }
    if (truncated) return void bad.push({ line, reason: 'truncated line' });
    good++;
    if (!w.write(JSON.stringify({ n: row, raw: text }) + '\n')) await once(w, 'drain');
  });
  w.end();
  await once(w, 'close');
  if (res.gzipError) bad.push({ line: res.lines + 1, reason: `gzip: ${res.gzipError}` });
  return { good, bad };
}

export class DuckDbWarehouse implements Warehouse {
  readonly kind = 'duckdb';
  readonly capabilities = { variantColumn: true, loadHistory: true, onError: ['abort', 'skip_file', 'continue'] as const, goldTables: true };

  async load(ctx: Context, opts: WarehouseLoadOptions = {}): Promise<WarehouseLoadSummary> {
    const cfg = ctx.loaded.config.warehouse.duckdb;
    const onError = opts.onError ?? cfg.onError;
    const source = opts.source ?? cfg.source;
    const table = cfg.table;
    const target = warehousePath(ctx);
    mkdirSync(dirname(target), { recursive: true });
    const d = ctx.loaded.config.engine.duckdb;
    const engine = await DuckDbEngine.open({ path: target, memoryLimit: d.memoryLimit, threads: d.threads, tempDirectory: join(ctx.loaded.tmpDir, 'duckdb-spill') });
    const work = mkdtempSync(join(ctx.loaded.tmpDir, 'load-duckdb-'));
    try {
      await engine.run(`SET TimeZone = 'UTC'`);
      await engine.run(render(modelSql('warehouse/duckdb_setup.sql'), { table: sqlIdent(table) }));
      const byDt = await rawKeysByDt(ctx.storage, ctx.layout.rawPrefix(source), opts.from, opts.to);
      const sizes = new Map((await listAll(ctx.storage, ctx.layout.rawPrefix(source))).map((o) => [o.key, o.size]));
      const keys = [...byDt.values()].flat();
      const files: FileLoadResult[] = [];
      // Stage every file to Parquet first (outside any transaction: a rejected fast read must not abort one), then
      // insert: per file for skip_file/continue, all in one transaction for abort (nothing kept when any file fails).
      const staged: { key: string; size: number | null; r: FileLoadResult; parquet?: string }[] = [];
      for (const [i, key] of keys.entries()) {
        const size = sizes.get(key) ?? null;
        const [prev] = await engine.all<{ n: number }>(
          `SELECT count(*) AS n FROM _eventlake_load_history WHERE table_name = ? AND file_name = ? AND file_size IS NOT DISTINCT FROM ? AND status IN ('LOADED', 'PARTIALLY_LOADED')`,
          [table, key, size],
        );
        if (Number(prev?.n) > 0 && !opts.force) {
          files.push({ file: key, status: 'SKIPPED', rowsLoaded: 0, errors: 0 });
          continue;
        }
        const st = await this.stageFile(ctx, engine, key, onError, work, i);
        if (st.r.status === 'LOAD_FAILED' && onError === 'abort') {
          throw new EventlakeError(
            `load duckdb aborted: ${key} line ${st.r.firstError?.line ?? '?'}: ${st.r.firstError?.reason} (ON_ERROR abort: nothing from this load was kept)`,
            { step: 'load.duckdb', code: 'LOAD_ABORTED', context: { file: key, ...st.r.firstError }, next: 'eventlake load duckdb --on-error skip_file   (or continue to load the good lines)' },
          );
        }
        staged.push({ key, size, ...st });
      }
      const t = sqlIdent(table);
      const commitFile = async (f: (typeof staged)[number]) => {
        // --force / a retry after a partial load: the file's earlier rows are replaced, never duplicated.
        if (f.r.status !== 'LOAD_FAILED') await engine.run(`DELETE FROM ${t} WHERE file_name = ?`, [f.key]);
        if (f.parquet) await engine.run(`INSERT INTO ${t} SELECT raw, file_name, file_row_number, now() FROM read_parquet(${sqlString(f.parquet)})`);
        await engine.run(`INSERT INTO _eventlake_load_history VALUES (?, ?, ?, ?, ?, ?, ?, now())`, [
          table,
          f.key,
          f.size,
          f.r.status,
          f.r.rowsLoaded,
          f.r.errors,
          f.r.firstError ? `line ${f.r.firstError.line ?? '?'}: ${f.r.firstError.reason}` : null,
        ]);
        files.push(f.r);
      };
      const inOne = onError === 'abort';
      if (inOne) await engine.run('BEGIN TRANSACTION');
      try {
        for (const f of staged) {
          if (!inOne) await engine.run('BEGIN TRANSACTION');
          await commitFile(f);
          if (!inOne) await engine.run('COMMIT');
        }
        if (inOne) await engine.run('COMMIT');
      } catch (e) {
        await engine.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
      files.sort((a, b) => a.file.localeCompare(b.file));
      const gold: Record<string, number> = {};
      if (opts.gold ?? cfg.loadGold) {
        for (const t of await discoverLakeTables(ctx, { layers: ['aggregated'], cacheDir: join(work, 'lake') })) {
          await engine.run(`CREATE OR REPLACE TABLE ${sqlIdent(t.name)} AS SELECT * FROM ${t.read}`);
          const [c] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM ${sqlIdent(t.name)}`);
          gold[t.name] = Number(c?.n ?? 0);
        }
      }
      const summary: WarehouseLoadSummary = { warehouse: this.kind, target, table, files, rowsLoaded: files.reduce((a, f) => a + f.rowsLoaded, 0), gold };
      await ctx.meta.storage.put(ctx.layout.metaKey('load-history', 'duckdb', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(summary, null, 2) + '\n');
      return summary;
    } finally {
      await engine.close();
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Reads one raw file into a staged Parquet (raw JSON, file name, row number). */
  private async stageFile(ctx: Context, engine: Engine, key: string, onError: string, work: string, i: number): Promise<{ r: FileLoadResult; parquet?: string }> {
    const [path] = await localCopies(ctx.storage, [key], join(work, 'raw'));
    const parquet = join(work, `stage-${i}.parquet`);
    try {
      // Fast path: DuckDB reads the file in line order; row numbers count records like METADATA$FILE_ROW_NUMBER.
      await engine.run(
        `COPY (SELECT json AS raw, ${sqlString(key)} AS file_name, row_number() OVER () AS file_row_number FROM read_ndjson_objects(${sqlString(path!)}, format = 'newline_delimited', compression = 'gzip')) TO ${sqlString(parquet)} (FORMAT PARQUET)`,
      );
      const [c] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(parquet)})`);
      return { r: { file: key, status: 'LOADED', rowsLoaded: Number(c?.n ?? 0), errors: 0 }, parquet };
    } catch {
      rmSync(parquet, { force: true });
    }
    const tmp = join(work, `lines-${i}.ndjson`);
    const { good, bad } = await scanFile(path!, tmp);
    const firstError = bad[0];
    if (bad.length && onError !== 'continue') return { r: { file: key, status: 'LOAD_FAILED', rowsLoaded: 0, errors: bad.length, firstError } };
    if (good > 0) {
      await engine.run(
        `COPY (SELECT raw::JSON AS raw, ${sqlString(key)} AS file_name, n AS file_row_number FROM read_ndjson(${sqlString(tmp)}, columns = {'n': 'BIGINT', 'raw': 'VARCHAR'}, format = 'newline_delimited')) TO ${sqlString(parquet)} (FORMAT PARQUET)`,
      );
    }
    return {
      r: { file: key, status: bad.length ? (good ? 'PARTIALLY_LOADED' : 'LOAD_FAILED') : 'LOADED', rowsLoaded: good, errors: bad.length, firstError },
      parquet: good > 0 ? parquet : undefined,
    };
  }
}

export const warehouse = new DuckDbWarehouse();
