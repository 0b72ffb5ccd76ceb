// Task kind "aggregate": cleaned → gold for the window's dt (incremental per dt).
import { z } from 'zod';
import { runAggregate } from '../../layers/index.ts';
import { defineTask } from '../task.ts';

export const task = defineTask({
  kind: 'aggregate',
  description: 'rebuild the gold tables for the window dt from cleaned',
  params: z.object({ source: z.string().optional() }).strict(),
  async run(t) {
    const out = await runAggregate(t.app, { source: t.params.source, from: t.window.dt, to: t.window.dt });
    const rows = out.reduce((n, s) => n + Object.values(s.rows).reduce((a, b) => a + b, 0), 0);
    return { rows, detail: Object.fromEntries(out.map((s) => [s.source, s.rows])) };
  },
});
