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
      const inAbortTx = onError === 'abort';
      if (inAbortTx) await engine.run('BEGIN TRANSACTION');
      try {
        for (const key of keys) {
          const size = sizes.get(key) ?? null;
          const [prev] = await engine.all<{ n: number }>(
            `SELECT count(*) AS n FROM _eventlake_load_history WHERE table_name = ? AND file_name = ? AND file_size IS NOT DISTINCT FROM ? AND status IN ('LOADED', 'PARTIALLY_LOADED')`,
            [table, key, size],
          );
          if (Number(prev?.n) > 0 && !opts.force) {
            files.push({ file: key, status: 'SKIPPED', rowsLoaded: 0, errors: 0 });
            continue;
          }
          if (!inAbortTx) await engine.run('BEGIN TRANSACTION');
          const r = await this.loadFile(ctx, engine, table, key, onError, work);
          if (r.status === 'LOAD_FAILED' && onError === 'abort') {
            throw new EventlakeError(
              `load duckdb aborted: ${key} line ${r.firstError?.line ?? '?'}: ${r.firstError?.reason} (ON_ERROR abort: nothing from this load was kept)`,
              { step: 'load.duckdb', code: 'LOAD_ABORTED', context: { file: key, ...r.firstError }, next: 'eventlake load duckdb --on-error skip_file   (or continue to load the good lines)' },
            );
          }
          await engine.run(
            `INSERT INTO _eventlake_load_history VALUES (?, ?, ?, ?, ?, ?, ?, now())`,
            [table, key, size, r.status, r.rowsLoaded, r.errors, r.firstError ? `line ${r.firstError.line ?? '?'}: ${r.firstError.reason}` : null],
          );
          if (!inAbortTx) await engine.run('COMMIT');
          files.push(r);
        }
        if (inAbortTx) await engine.run('COMMIT');
      } catch (e) {
        await engine.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
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

  private async loadFile(ctx: Context, engine: Engine, table: string, key: string, onError: string, work: string): Promise<FileLoadResult> {
    const [path] = await localCopies(ctx.storage, [key], join(work, 'raw'));
    const t = sqlIdent(table);
    await engine.run(`DELETE FROM ${t} WHERE file_name = ?`, [key]); // --force / reload after a partial load: replace, never duplicate
    try {
      // Fast path: DuckDB reads the file in line order; row numbers count non-blank lines like METADATA$FILE_ROW_NUMBER.
      await engine.run(
        `INSERT INTO ${t} SELECT json, ${sqlString(key)}, row_number() OVER (), now() FROM read_ndjson_objects(${sqlString(path!)}, format = 'newline_delimited', compression = 'gzip')`,
      );
      const [c] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE file_name = ?`, [key]);
      return { file: key, status: 'LOADED', rowsLoaded: Number(c?.n ?? 0), errors: 0 };
    } catch {
      await engine.run(`DELETE FROM ${t} WHERE file_name = ?`, [key]);
    }
    const tmp = join(work, 'lines.ndjson');
    const { good, bad } = await scanFile(path!, tmp);
    const firstError = bad[0];
    if (bad.length && onError !== 'continue') return { file: key, status: 'LOAD_FAILED', rowsLoaded: 0, errors: bad.length, firstError };
    if (good > 0) {
      await engine.run(
        `INSERT INTO ${t} SELECT raw::JSON, ${sqlString(key)}, n, now() FROM read_ndjson(${sqlString(tmp)}, columns = {'n': 'BIGINT', 'raw': 'VARCHAR'}, format = 'newline_delimited')`,
      );
    }
    return { file: key, status: bad.length ? (good ? 'PARTIALLY_LOADED' : 'LOAD_FAILED') : 'LOADED', rowsLoaded: good, errors: bad.length, firstError };
  }
}

export const warehouse = new DuckDbWarehouse();
