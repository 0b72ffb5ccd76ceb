// Task kind "anomalies": flags unusual daily event counts of a source (robust z-score over gold fact_events)
// and alerts on flags for the run's day. Put it after the aggregate step.
import { z } from 'zod';
import { defineTask } from '../task.ts';
import { runAnomalyCheck } from '../../operate/anomalies.ts';
import { createAlerter } from '../../operate/alerts.ts';

export const task = defineTask({
  kind: 'anomalies',
  description: 'flag unusual daily event counts per event type (robust z-score) and alert on them',
  params: z
    .object({
      source: z.string().min(1),
      alert: z.boolean().default(true),
      baselineDays: z.number().int().min(3).optional(),
      threshold: z.number().positive().optional(),
    })
    .strict(),
  async run(t) {
    const { app } = t;
    const alerter = t.params.alert
      ? await createAlerter(app.loaded.config.operate.alerts, { storage: app.storage, layout: app.layout, log: t.log })
      : undefined;
    try {
      const r = await runAnomalyCheck(app, t.params.source, { alerter, alertSince: t.window.dt, baselineDays: t.params.baselineDays, threshold: t.params.threshold });
      const today = r.anomalies.filter((a) => a.dt === t.window.dt);
      return { rows: today.length, detail: { flagged: today.map((a) => a.explanation).slice(0, 10), daysInGold: r.days } };
    } finally {
      alerter?.close();
    }
  },
});
