// Task kind "transform": raw → cleaned for the window's dt (one source or all). A failed quality gate throws
// (exit code 5 on the CLI) and stops promotion, so dependent steps (aggregate) do not run on bad data.
import { z } from 'zod';
import { runTransform } from '../../layers/index.ts';
import { defineTask } from '../task.ts';

export const task = defineTask({
  kind: 'transform',
  description: 'rebuild the cleaned (silver) partitions of the window dt from raw',
  params: z.object({ source: z.string().optional() }).strict(),
  async run(t) {
    const parts = await runTransform(t.app, { source: t.params.source, from: t.window.dt, to: t.window.dt });
    const rows = parts.reduce((n, p) => n + Object.values(p.result.rows).reduce((a, b) => a + b, 0), 0);
    return { rows, detail: { partitions: parts.map((p) => `${p.source}/dt=${p.dt}:${p.status}`), quarantined: parts.reduce((n, p) => n + p.result.quarantined, 0) } };
  },
});
