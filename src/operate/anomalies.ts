// Anomaly flag on daily event counts per source and event type, with a robust z-score:
//   z = 0.6745 * (x - median(baseline)) / MAD(baseline)
// where the baseline is the previous `baselineDays` days of the same series (missing days count as 0: a day
// with no data at all is exactly what should be flagged). Median/MAD ignore a few spikes in the baseline, unlike
// mean/stddev. When MAD is 0 (flat baseline) the mean absolute deviation is used; when that is 0 too, any change is
// flagged. Every flag carries a one-line explanation.
import type { Context } from '../cli/context.ts';
import { EventlakeError } from '../core/errors.ts';
import { putJson } from '../core/storage.ts';
import { DuckDbEngine, sqlString } from '../engines/duckdb/duckdb-engine.ts';
import type { Alerter } from './alerts.ts';

export interface DailyCount {
  dt: string;
  series: string; // event type, or "(all)"
  count: number;
}

export interface Anomaly {
  source: string;
  series: string;
  dt: string;
  count: number;
  median: number;
  mad: number;
  z: number;
  direction: 'spike' | 'drop';
  explanation: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const addDays = (dt: string, n: number) => new Date(Date.parse(`${dt}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Pure detector over one source's daily counts. */
export function detectAnomalies(source: string, rows: DailyCount[], o: { baselineDays: number; threshold: number; minBaseline?: number }): Anomaly[] {
  const bySeries = new Map<string, Map<string, number>>();
  let first: string | undefined;
  let last: string | undefined;
  for (const r of rows) {
    if (!bySeries.has(r.series)) bySeries.set(r.series, new Map());
    const m = bySeries.get(r.series)!;
    m.set(r.dt, (m.get(r.dt) ?? 0) + r.count);
    if (!first || r.dt < first) first = r.dt;
    if (!last || r.dt > last) last = r.dt;
  }
  if (!first || !last) return [];
  const out: Anomaly[] = [];
  const minBase = o.minBaseline ?? Math.min(o.baselineDays, 7);
  for (const [series, m] of bySeries) {
    for (let dt = first; dt <= last; dt = addDays(dt, 1)) {
      const base: number[] = [];
      for (let i = o.baselineDays; i >= 1; i--) {
        const d = addDays(dt, -i);
        if (d >= first) base.push(m.get(d) ?? 0);
      }
      if (base.length < minBase) continue;
      const x = m.get(dt) ?? 0;
      const med = median(base);
      const mad = median(base.map((b) => Math.abs(b - med)));
      const meanAd = base.reduce((a, b) => a + Math.abs(b - med), 0) / base.length;
      let z: number;
      let scaleText: string;
      if (mad > 0) {
        z = (0.6745 * (x - med)) / mad;
        scaleText = `MAD ${mad}`;
      } else if (meanAd > 0) {
        z = (x - med) / (1.253314 * meanAd);
        scaleText = `MAD 0, mean abs. deviation ${meanAd.toFixed(1)}`;
      } else {
        z = x === med ? 0 : Math.sign(x - med) * Infinity;
        scaleText = 'flat baseline';
      }
      if (Math.abs(z) <= o.threshold) continue;
      const direction = z > 0 ? 'spike' : 'drop';
      const zText = Number.isFinite(z) ? z.toFixed(1) : z > 0 ? '+inf' : '-inf';
      out.push({
        source,
        series,
        dt,
        count: x,
        median: med,
        mad,
        z: Number.isFinite(z) ? Math.round(z * 100) / 100 : z > 0 ? 1e9 : -1e9,
        direction,
        explanation: `${source} ${series} on ${dt}: ${x} events vs median ${med} of the previous ${base.length} days (${scaleText}); robust z ${zText} beyond ±${o.threshold} → ${direction}`,
      });
    }
  }
  return out.sort((a, b) => a.dt.localeCompare(b.dt) || a.series.localeCompare(b.series));
}

/** Daily counts per event type (and in total) from the gold fact_events of a source's domain. */
export async function dailyCounts(app: Context, source: string): Promise<DailyCount[]> {
  const prefix = app.layout.aggregatedPrefix(source, 'fact_events');
  const dir = app.storage.localPath(prefix.replace(/\/$/, ''));
  if (!dir) {
    throw new EventlakeError('anomaly detection reads gold through the embedded engine, which needs local storage', {
      step: 'anomalies',
      code: 'UNSUPPORTED',
      next: 'run it where the lake is a local folder, or query Athena for the same counts',
    });
  }
  let any = false;
  for await (const o of app.storage.list(prefix)) {
    if (o.key.endsWith('.parquet')) {
      any = true;
      break;
    }
  }
  if (!any) return [];
  const engine = await DuckDbEngine.open();
  try {
    const src = `read_parquet(${sqlString(`${dir}/**/*.parquet`)}, union_by_name = true)`;
    const cols = new Set((await engine.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${src}`)).map((r) => r.column_name));
    const countCol = ['event_count', 'events', 'count', 'n'].find((c) => cols.has(c));
    if (!cols.has('dt') || !cols.has('event_type')) {
      throw new EventlakeError(`gold table ${prefix} has no dt/event_type columns`, { step: 'anomalies', code: 'SCHEMA' });
    }
    const sum = countCol ? `sum("${countCol}")` : 'count(*)';
    const rows = await engine.all<{ dt: string; series: string; n: number }>(
      `SELECT strftime(CAST(dt AS DATE), '%Y-%m-%d') AS dt, event_type AS series, CAST(${sum} AS BIGINT) AS n FROM ${src} GROUP BY 1, 2
       UNION ALL SELECT strftime(CAST(dt AS DATE), '%Y-%m-%d'), '(all)', CAST(${sum} AS BIGINT) FROM ${src} GROUP BY 1`,
    );
    return rows.map((r) => ({ dt: r.dt, series: r.series, count: Number(r.n) }));
  } finally {
    await engine.close();
  }
}

export interface AnomalyReport {
  source: string;
  generatedAt: string;
  days: number;
  anomalies: Anomaly[];
}

/** Detects, stores the report for the dashboard (_eventlake/state/anomalies/<source>.json) and alerts on flags from `alertSince` on. */
export async function runAnomalyCheck(
  app: Context,
  source: string,
  o: { alerter?: Alerter; alertSince?: string; baselineDays?: number; threshold?: number } = {},
): Promise<AnomalyReport> {
  const cfg = app.loaded.config.operate.anomalies;
  const counts = await dailyCounts(app, source);
  const anomalies = detectAnomalies(source, counts, { baselineDays: o.baselineDays ?? cfg.baselineDays, threshold: o.threshold ?? cfg.threshold });
  const report: AnomalyReport = { source, generatedAt: new Date().toISOString(), days: new Set(counts.map((c) => c.dt)).size, anomalies };
  await putJson(app.storage, app.layout.metaKey('state', 'anomalies', `${source}.json`), report);
  if (o.alerter?.enabled) {
    for (const a of anomalies) {
      if (o.alertSince && a.dt < o.alertSince) continue;
      await o.alerter.send({ kind: 'anomaly', subject: `${a.direction} in ${a.source} ${a.series} on ${a.dt}`, text: a.explanation });
    }
  }
  return report;
}
