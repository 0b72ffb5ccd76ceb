// Task kind "freshness": measures how far behind the source's newest completed extract window is (gauge
// eventlake_source_freshness_lag_seconds) and alerts when it exceeds maxLagHours. Fails the step when stale only
// if failWhenStale is set (so a pipeline can stop before publishing stale gold).
import { z } from 'zod';
import { EventlakeError } from '../../core/errors.ts';
import { defineTask } from '../task.ts';
import { createAlerter } from '../../operate/alerts.ts';
import { checkFreshness } from '../../operate/freshness.ts';

export const task = defineTask({
  kind: 'freshness',
  description: 'measure source freshness lag from extract checkpoints and alert when it exceeds maxLagHours',
  params: z.object({ source: z.string().min(1), maxLagHours: z.number().positive().default(26), failWhenStale: z.boolean().default(false), alert: z.boolean().default(true) }).strict(),
  async run(t) {
    const { app } = t;
    const alerter = t.params.alert ? await createAlerter(app.loaded.config.operate.alerts, { storage: app.storage, layout: app.layout, log: t.log }) : undefined;
    try {
      const f = await checkFreshness(app, t.params.source, { maxLagHours: t.params.maxLagHours, alerter });
      if (f.stale && t.params.failWhenStale) {
        throw new EventlakeError(`${t.params.source} is stale: newest window ${f.newestWindow ?? '(none)'}`, { step: `freshness.${t.params.source}`, code: 'STALE', next: 'check the extract runs: eventlake runs' });
      }
      return { detail: { ...f } };
    } finally {
      alerter?.close();
    }
  },
});
