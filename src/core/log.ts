// Structured logs via pino: JSON when stdout is not a TTY (pipelines, CI), short lines on a TTY.
// Secrets are scrubbed from every line through a redacting destination.
import pino, { type Logger } from 'pino';
import { writeSync } from 'node:fs';
import { redact } from './secrets.ts';

export type { Logger };

const level = process.env.EVENTLAKE_LOG_LEVEL ?? 'info';

function destination(fd: number): pino.DestinationStream {
  const tty = Boolean(process.stderr.isTTY) && !process.env.EVENTLAKE_LOG_JSON;
  return {
    write(line: string) {
      const clean = redact(line);
      if (!tty) {
        writeLine(fd, clean);
        return;
      }
      try {
        const o = JSON.parse(clean) as Record<string, unknown>;
        const { level: lv, time, msg, pid: _p, hostname: _h, ...rest } = o;
        const name = typeof lv === 'number' ? (pino.levels.labels[lv] ?? String(lv)) : String(lv);
        const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
        writeLine(fd, `${new Date(Number(time)).toISOString().slice(11, 19)} ${name.padEnd(5)} ${String(msg ?? '')}${extra}\n`);
      } catch {
        writeLine(fd, clean);
      }
    },
  };
}

function writeLine(fd: number, s: string): void {
  try {
    writeSync(fd, s);
  } catch {
    /* stderr closed: nothing sensible to do */
  }
}

/** Logs go to stderr so that stdout stays clean for command output (query results, JSON). */
export const log: Logger = pino(
  {
    level,
    base: undefined,
    redact: { paths: ['*.password', '*.secret', '*.token', '*.apiKey', '*.secretKey', 'headers.authorization', '*.authorization'], censor: '***' },
  },
  destination(2),
);

export function childLog(bindings: Record<string, unknown>): Logger {
  return log.child(bindings);
}
