// Pipeline and operations metrics, registered once in the shared registry (src/core/metrics.ts).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { metrics } from '../core/metrics.ts';

function once<T>(reg: Registry, name: string, make: () => T): T {
  return (reg.getSingleMetric(name) as T | undefined) ?? make();
}

export const stepDuration = once(metrics, 'eventlake_pipeline_step_duration_seconds', () =>
  new Histogram({
    name: 'eventlake_pipeline_step_duration_seconds',
    help: 'Duration of pipeline step attempts',
    labelNames: ['pipeline', 'step', 'kind', 'outcome'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [metrics],
  }),
);
export const stepFailures = once(metrics, 'eventlake_pipeline_step_failures_total', () =>
  new Counter({ name: 'eventlake_pipeline_step_failures_total', help: 'Failed step attempts', labelNames: ['pipeline', 'step', 'kind', 'retryable'], registers: [metrics] }),
);
export const stepRows = once(metrics, 'eventlake_pipeline_rows_total', () =>
  new Counter({ name: 'eventlake_pipeline_rows_total', help: 'Rows reported by pipeline steps', labelNames: ['pipeline', 'step'], registers: [metrics] }),
);
export const stepBytes = once(metrics, 'eventlake_pipeline_bytes_total', () =>
  new Counter({ name: 'eventlake_pipeline_bytes_total', help: 'Bytes reported by pipeline steps', labelNames: ['pipeline', 'step'], registers: [metrics] }),
);
export const runsTotal = once(metrics, 'eventlake_pipeline_runs_total', () =>
  new Counter({ name: 'eventlake_pipeline_runs_total', help: 'Finished pipeline runs', labelNames: ['pipeline', 'status'], registers: [metrics] }),
);
export const lastSuccess = once(metrics, 'eventlake_pipeline_last_success_window_timestamp_seconds', () =>
  new Gauge({
    name: 'eventlake_pipeline_last_success_window_timestamp_seconds',
    help: 'End of the newest window a pipeline completed (freshness lag = now - this)',
    labelNames: ['pipeline'],
    registers: [metrics],
  }),
);
export const alertsSent = once(metrics, 'eventlake_alerts_total', () =>
  new Counter({ name: 'eventlake_alerts_total', help: 'Alerts by kind and outcome', labelNames: ['kind', 'channel', 'outcome'], registers: [metrics] }),
);
export const queriesTotal = once(metrics, 'eventlake_governed_queries_total', () =>
  new Counter({ name: 'eventlake_governed_queries_total', help: 'Governed queries by principal and outcome', labelNames: ['principal', 'outcome'], registers: [metrics] }),
);
