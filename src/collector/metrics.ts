// Prometheus metrics of the collector, registered on the serve registry (reused when a registry already has them,
// e.g. two collectors in one test process sharing the default registry).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function getOr<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function collectorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    recordsIn: getOr(registry, 'eventlake_collector_records_in_total', () => new Counter({ name: 'eventlake_collector_records_in_total', help: 'records acknowledged (durably in the WAL)', labelNames: ['producer'], registers })),
    bytesIn: getOr(registry, 'eventlake_collector_bytes_in_total', () => new Counter({ name: 'eventlake_collector_bytes_in_total', help: 'payload bytes acknowledged', registers })),
    rejected: getOr(registry, 'eventlake_collector_records_rejected_total', () => new Counter({ name: 'eventlake_collector_records_rejected_total', help: 'records refused at the API (per-record failures)', labelNames: ['reason'], registers })),
    throttled: getOr(registry, 'eventlake_collector_throttled_requests_total', () => new Counter({ name: 'eventlake_collector_throttled_requests_total', help: 'requests answered 429 because the buffer/WAL was full', registers })),
    recordsOut: getOr(registry, 'eventlake_collector_records_out_total', () => new Counter({ name: 'eventlake_collector_records_out_total', help: 'records delivered, by transform result (ok = raw prefix, processing_failed = error prefix, dropped)', labelNames: ['result'], registers })),
    bytesOut: getOr(registry, 'eventlake_collector_bytes_out_total', () => new Counter({ name: 'eventlake_collector_bytes_out_total', help: 'compressed bytes written to the lake', registers })),
    files: getOr(registry, 'eventlake_collector_files_delivered_total', () => new Counter({ name: 'eventlake_collector_files_delivered_total', help: 'files written to the lake (existing keys from a replay are skipped, not counted)', registers })),
    bufferBytes: getOr(registry, 'eventlake_collector_buffer_bytes', () => new Gauge({ name: 'eventlake_collector_buffer_bytes', help: 'bytes acknowledged and not yet delivered (WAL size)', registers })),
    bufferFill: getOr(registry, 'eventlake_collector_buffer_fill_ratio', () => new Gauge({ name: 'eventlake_collector_buffer_fill_ratio', help: 'WAL bytes / collector.maxWalBytes (429 at 1)', registers })),
    ackLatency: getOr(registry, 'eventlake_collector_ack_latency_seconds', () => new Histogram({ name: 'eventlake_collector_ack_latency_seconds', help: 'request arrival to durable ack', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers })),
    flushSeconds: getOr(registry, 'eventlake_collector_flush_seconds', () => new Histogram({ name: 'eventlake_collector_flush_seconds', help: 'time to deliver one buffer (segment) to the lake', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers })),
    deliveryErrors: getOr(registry, 'eventlake_collector_delivery_errors_total', () => new Counter({ name: 'eventlake_collector_delivery_errors_total', help: 'failed delivery attempts (retried)', registers })),
  };
}

export type CollectorMetrics = ReturnType<typeof collectorMetrics>;
