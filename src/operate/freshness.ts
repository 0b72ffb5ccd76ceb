// Freshness: how far behind "now" the newest completed window of a source is, from the extract checkpoints
// (_eventlake/checkpoints/<source>/, written by the extract commands). Exported as a gauge and alerted on when
// above a limit.
import type { Context } from '../cli/context.ts';
import { Gauge } from 'prom-client';
import { metrics } from '../core/metrics.ts';
import type { Alerter } from './alerts.ts';

const NAME = 'eventlake_source_freshness_lag_seconds';
const lagGauge =
  (metrics.getSingleMetric(NAME) as Gauge | undefined) ??
  new Gauge({ name: NAME, help: 'Seconds between now and the end of the newest completed extract window per source', labelNames: ['source'], registers: [metrics] });

/** End instant of a checkpoint window: "YYYY-MM-DDTHH", "A..B" (hours, inclusive) or "YYYY-MM-DD". */
export function windowEnd(window: string): Date | undefined {
  const last = window.split('..').at(-1)!.trim();
  // Tolerates a kind prefix such as "gharchive-2026-11-01T04".
  let m = /(\d{4}-\d{2}-\d{2})T(\d{2})$/.exec(last);
  if (m) return new Date(Date.parse(`${m[1]}T${m[2]}:00:00Z`) + 3_600_000);
  m = /(?:^|-)(\d{4}-\d{2}-\d{2})$/.exec(last);
  if (m) return new Date(Date.parse(`${m[1]}T00:00:00Z`) + 86_400_000);
  return undefined;
}

export interface Freshness {
  source: string;
  newestWindow?: string;
  lagSeconds?: number;
  stale: boolean;
}

export async function checkFreshness(app: Context, source: string, o: { maxLagHours: number; now?: Date; alerter?: Alerter }): Promise<Freshness> {
  const now = o.now ?? new Date();
  let newest: { window: string; end: Date } | undefined;
  for (const cp of await app.meta.listCheckpoints(source)) {
    if (cp.status === 'failed') continue;
    const end = windowEnd(cp.window);
    if (end && (!newest || end > newest.end)) newest = { window: cp.window, end };
  }
  const lagSeconds = newest ? Math.max(0, Math.round((now.getTime() - newest.end.getTime()) / 1000)) : undefined;
  if (lagSeconds !== undefined) lagGauge.set({ source }, lagSeconds);
  const stale = lagSeconds === undefined || lagSeconds > o.maxLagHours * 3600;
  if (stale && o.alerter?.enabled) {
    await o.alerter.send({
      kind: 'freshness',
      subject: `${source} data is stale`,
      text: newest
        ? `newest completed window ${newest.window} ended ${(lagSeconds! / 3600).toFixed(1)} h ago (limit ${o.maxLagHours} h)`
        : `no completed extract window recorded for ${source}`,
      fields: { next: `eventlake runs` },
    });
  }
  return { source, newestWindow: newest?.window, lagSeconds, stale };
}
