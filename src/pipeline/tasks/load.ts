// Task kind "load": the window's dt into a warehouse — duckdb (embedded: amplitude_raw + gold) or postgres (gold).
// Both skip what their load history says is already loaded, so a retry never duplicates.
import { z } from 'zod';
import { warehouse as duckdb } from '../../warehouse/duckdb/duckdb-warehouse.ts';
import { loadPostgres } from '../../warehouse/postgres/load.ts';
import { defineTask } from '../task.ts';

export const task = defineTask({
  kind: 'load',
  description: 'load the window dt into a warehouse (target: duckdb | postgres)',
  params: z.object({ target: z.enum(['duckdb', 'postgres']).default('duckdb'), force: z.boolean().default(false) }).strict(),
  async run(t) {
    if (t.params.target === 'postgres') {
      const s = await loadPostgres(t.app, { from: t.window.dt, to: t.window.dt, force: t.params.force });
      return { rows: s.loaded.reduce((n, l) => n + l.rows, 0), detail: { loaded: s.loaded.length, skipped: s.skipped.length } };
    }
    const s = await duckdb.load(t.app, { from: t.window.dt, to: t.window.dt, force: t.params.force });
    return { rows: s.rowsLoaded, detail: { files: s.files.length, gold: s.gold } };
  },
});
