// `eventlake serve` is one HTTP server (fastify) composed of plugins: each file in ./plugins exports `plugin`.
// The collector, the governed query API, the dashboard and the scheduler are plugins.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Context } from '../cli/context.ts';

export interface ServeContext extends Context {
  metrics: Registry;
  /** Options given to `eventlake serve` (port, host, plugin-specific flags). */
  options: Record<string, unknown>;
}

export interface ServePlugin {
  name: string;
  /** Registers routes/hooks. Called once at start, in file-name order. */
  register(app: FastifyInstance, ctx: ServeContext): Promise<void>;
  /** Graceful shutdown (flush buffers, stop timers). Called in reverse order. */
  close?(): Promise<void>;
}
