// The streaming collector as a plugin of `eventlake serve` (see src/collector/http.ts for the API).
import type { ServePlugin } from '../plugin.ts';
import { Collector } from '../../collector/collector.ts';
import { ProducerKeys, envProducers } from '../../collector/auth.ts';
import { registerCollectorRoutes } from '../../collector/http.ts';

/** A fresh plugin instance (tests start several servers in one process). */
export function createCollectorPlugin(): ServePlugin & { collector?: Collector } {
  const self: ServePlugin & { collector?: Collector } = {
    name: 'collector',
    async register(app, ctx) {
      const cfg = ctx.loaded.config.collector;
      const collector = new Collector({
        config: cfg,
        storage: ctx.storage,
        layout: ctx.layout,
        log: ctx.log,
        registry: ctx.metrics,
        lakeRoot: ctx.loaded.lakeRoot,
        tmpDir: ctx.loaded.tmpDir,
        baseDir: ctx.loaded.baseDir,
      });
      await collector.start();
      self.collector = collector;
      const keys = new ProducerKeys(ctx.storage, ctx.layout, [...cfg.producers, ...envProducers()]);
      await keys.reload();
      if (cfg.requireAuth && keys.size === 0) ctx.log.warn('collector: no producers yet, every request is refused: run `eventlake collector add-producer <name>`');
      registerCollectorRoutes(app, { collector, keys, requireAuth: cfg.requireAuth, streamName: cfg.source });
      ctx.log.info({ walDir: collector.wal.dir, source: cfg.source, bufferSizeMiB: cfg.bufferSizeMiB, bufferIntervalSeconds: cfg.bufferIntervalSeconds }, 'collector ready');
    },
    async close() {
      await self.collector?.close();
    },
  };
  return self;
}

export const plugin = createCollectorPlugin();
