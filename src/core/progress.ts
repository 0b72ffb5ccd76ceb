// Progress for long work: a redrawn line on a TTY, a throttled log line otherwise (CI, pipes).
import { log } from './log.ts';

export interface Progress {
  add(doneUnits: number, bytes?: number): void;
  setTotal(total: number): void;
  done(summary?: string): void;
}

export function progress(label: string, total = 0, opts: { quiet?: boolean } = {}): Progress {
  const started = Date.now();
  let done = 0;
  let bytes = 0;
  let lastDraw = 0;
  const tty = Boolean(process.stderr.isTTY);
  const quiet = opts.quiet ?? process.env.EVENTLAKE_LOG_LEVEL === 'silent';

  const render = (final = false) => {
    if (quiet) return;
    const now = Date.now();
    if (!final && now - lastDraw < (tty ? 200 : 5000)) return;
    lastDraw = now;
    const secs = Math.max((now - started) / 1000, 0.001);
    const pct = total > 0 ? ` ${((100 * done) / total).toFixed(0)}%` : '';
    const rate = bytes > 0 ? ` ${(bytes / 1e6 / secs).toFixed(1)} MB/s` : '';
    const text = `${label}: ${done}${total ? `/${total}` : ''}${pct}${rate} ${secs.toFixed(1)}s`;
    if (tty) process.stderr.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    else log.info({ progress: label, done, total, bytes, seconds: Number(secs.toFixed(1)) }, text);
  };

  return {
    add(n, b = 0) {
      done += n;
      bytes += b;
      render();
    },
    setTotal(t) {
      total = t;
    },
    done(summary) {
      render(true);
      if (summary && !quiet) log.info(summary);
    },
  };
}
