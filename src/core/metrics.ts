// One Prometheus registry for the process: every module registers its metrics here; /metrics serves it.
import { Registry, collectDefaultMetrics } from 'prom-client';

export const metrics = new Registry();
let defaults = false;

/** Process metrics (memory, CPU, event loop) are only collected by long-running servers. */
export function enableDefaultMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register: metrics });
}
