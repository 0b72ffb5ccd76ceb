// Prometheus counters for the GitHub sources (shared registry, served at /metrics by `eventlake serve`).
import { Counter } from 'prom-client';
import { metrics } from '../../core/metrics.ts';

function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (metrics.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames, registers: [metrics] });
}

export const githubMetrics = {
  gharchiveHours: counter('eventlake_github_gharchive_hours_total', 'GH Archive hours processed, by outcome (landed, skipped, missing, quarantined, failed)', ['status']),
  gharchiveBytes: counter('eventlake_github_gharchive_bytes_total', 'GH Archive gzip bytes landed in raw/'),
  gharchiveEvents: counter('eventlake_github_gharchive_events_total', 'GH Archive lines (events) landed in raw/'),
  apiRequests: counter('eventlake_github_api_requests_total', 'Events API requests, by HTTP status (304 = not modified, free)', ['status']),
  apiEvents: counter('eventlake_github_api_events_total', 'Events API events, by result (new = landed, seen = skipped as already seen)', ['result']),
  apiRateLimitWaitSeconds: counter('eventlake_github_api_rate_limit_wait_seconds_total', 'seconds slept waiting for an Events API rate-limit reset'),
};
