// `eventlake serve`: the HTTP server (collector, query API, dashboard, scheduler are plugins of it).
import { InvalidArgumentError } from 'commander';
import type { Registrar } from '../program.ts';
import { startServe } from '../../serve/server.ts';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

export function register(reg: Registrar): void {
  reg.program
    .command('serve')
    .description(
      'start the eventlake HTTP server: every plugin in src/serve/plugins (collector, query API, dashboard, scheduler)\n' +
        'on one port, plus GET /healthz and GET /metrics (Prometheus). Stops gracefully on SIGINT/SIGTERM:\n' +
        'in-flight requests finish and plugins flush (the collector delivers its buffer) before exit.',
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', parsePort, 8080)
    .option('--plugins <names>', 'comma-separated plugins to load (default: all), e.g. collector,query')
    .addHelpText('after', '\nExamples:\n  eventlake serve --port 8080\n  eventlake serve --plugins collector --host 0.0.0.0')
    .action(async (o: { host: string; port: number; plugins?: string }, cmd) => {
      const ctx = await reg.context(cmd);
      const plugins = o.plugins ? o.plugins.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const server = await startServe(ctx, { host: o.host, port: o.port, plugins, options: { ...o } });
      process.stdout.write(`eventlake serve: listening on ${server.url} (plugins: ${server.plugins.join(', ') || 'none'})\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (sig: string) => {
          if (stopping) {
            ctx.log.warn({ signal: sig }, 'second signal: exiting without waiting');
            process.exit(1);
          }
          stopping = true;
          ctx.log.info({ signal: sig }, 'shutting down: finishing requests and flushing plugins');
          server.close().then(resolve, (err) => {
            ctx.log.error({ err }, 'shutdown failed');
            process.exitCode = 1;
            resolve();
          });
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      });
      process.stdout.write('eventlake serve: stopped\n');
    });
}
