// `eventlake serve`: one fastify app composed of the plugins in ./plugins (each file exports `plugin`).
// Plugins register in file-name order, each in its own encapsulated fastify context (its content-type parsers and
// hooks do not leak into the others), and close in reverse order. /healthz and /metrics are built in.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { metrics as sharedMetrics, enableDefaultMetrics } from '../core/metrics.ts';
import { EventlakeError } from '../core/errors.ts';
import type { Context } from '../cli/context.ts';
import type { ServeContext, ServePlugin } from './plugin.ts';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Plugin names (or file base names) to load; all discovered plugins when omitted. */
  plugins?: string[];
  /** Plugin instances to use instead of discovering ./plugins (tests, embedding). */
  pluginInstances?: ServePlugin[];
  /** Options handed to every plugin as ctx.options. */
  options?: Record<string, unknown>;
  /** Prometheus registry (default: the process-wide one from src/core/metrics.ts). */
  registry?: Registry;
  /** Largest request body any route accepts unless the route sets its own limit (default 1 MiB). */
  bodyLimit?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  host: string;
  port: number;
  url: string;
  plugins: string[];
  /** Stops listening, waits for in-flight requests, then closes plugins in reverse order. Idempotent. */
  close(): Promise<void>;
}

const pluginDir = join(dirname(fileURLToPath(import.meta.url)), 'plugins');

/** Discovers src/serve/plugins/*.ts in file-name order; `only` filters by plugin name or file base name. */
export async function discoverPlugins(only?: string[]): Promise<ServePlugin[]> {
  let files: string[] = [];
  try {
    files = readdirSync(pluginDir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.')).sort();
  } catch {
    files = [];
  }
  const found: ServePlugin[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const base = f.replace(/\.(ts|js)$/, '');
    const mod = (await import(pathToFileURL(join(pluginDir, f)).href)) as { plugin?: ServePlugin };
    if (!mod.plugin) continue;
    seen.add(base).add(mod.plugin.name);
    if (only && !only.includes(base) && !only.includes(mod.plugin.name)) continue;
    found.push(mod.plugin);
  }
  const unknown = (only ?? []).filter((n) => !seen.has(n));
  if (unknown.length) {
    throw new EventlakeError(`unknown serve plugin(s): ${unknown.join(', ')} (available: ${[...seen].sort().join(', ') || 'none'})`, {
      step: 'serve',
      code: 'USAGE',
      next: 'eventlake serve --help',
    });
  }
  return found;
}

export async function startServe(ctx: Context, opts: ServeOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const registry = opts.registry ?? sharedMetrics;
  if (registry === sharedMetrics) enableDefaultMetrics();
  const plugins = opts.pluginInstances ?? (await discoverPlugins(opts.plugins));
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1024 * 1024, forceCloseConnections: 'idle', return503OnClosing: true });
  const sctx: ServeContext = { ...ctx, metrics: registry, options: { ...(opts.options ?? {}), host, port: opts.port } };

  app.get('/healthz', async () => ({ status: 'ok', plugins: plugins.map((p) => p.name) }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) ctx.log.error({ err, url: req.url }, 'request failed');
    void reply.status(status).send({ error: err.code ?? (status >= 500 ? 'InternalFailure' : 'BadRequest'), message: err.message });
  });

  const registered: ServePlugin[] = [];
  const closePlugins = async () => {
    for (const p of [...registered].reverse()) {
      try {
        await p.close?.();
      } catch (err) {
        ctx.log.error({ err, plugin: p.name }, 'plugin close failed');
      }
    }
    registered.length = 0;
  };

  try {
    for (const p of plugins) {
      await app.register(async (child) => {
        await p.register(child, sctx);
      });
      registered.push(p);
    }
    await app.ready();
    await app.listen({ host, port: opts.port ?? 8080 });
  } catch (err) {
    await app.close().catch(() => undefined);
    await closePlugins();
    throw err instanceof EventlakeError
      ? err
      : new EventlakeError(`could not start the server on ${host}:${opts.port ?? 8080}: ${(err as Error).message}`, {
          step: 'serve',
          cause: err,
          next: 'choose another port with eventlake serve --port <n>',
        });
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 8080);
  let closing: Promise<void> | undefined;
  return {
    app,
    host,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    plugins: plugins.map((p) => p.name),
    close() {
      closing ??= (async () => {
        await app.close();
        await closePlugins();
      })();
      return closing;
    },
  };
}
