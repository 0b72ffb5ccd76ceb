// Opens the embedded engine the layers run on: a DuckDB memory_limit (spilling to the lake's tmp dir beyond it), no
// insertion-order preservation (lets COPY stream row groups from every thread), and UTC as the session time zone.
// The limit is a ceiling, not what a transform needs: the models stream (capped Parquet row groups, dedup as a
// narrow pass + anti-join rewrite), so `transform` peaks at ~0.5 GB RSS whatever the size of a dt.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../core/engine.ts';
import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.ts';
import type { Context } from '../cli/context.ts';

export async function openLayerEngine(ctx: Context, opts: { path?: string } = {}): Promise<Engine> {
  const d = ctx.loaded.config.engine.duckdb;
  const spill = join(ctx.loaded.tmpDir, 'duckdb-spill');
  mkdirSync(spill, { recursive: true });
  const engine = await DuckDbEngine.open({
    path: opts.path,
    memoryLimit: d.memoryLimit,
    threads: d.threads,
    tempDirectory: spill,
    preserveInsertionOrder: false,
  });
  await engine.run(`SET TimeZone = 'UTC'`);
  return engine;
}

/** Runs `fn` with a fresh engine, always closing it. */
export async function withLayerEngine<T>(ctx: Context, fn: (e: Engine) => Promise<T>, opts: { path?: string } = {}): Promise<T> {
  const engine = await openLayerEngine(ctx, opts);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
