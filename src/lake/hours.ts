// Hour windows as used by the Amplitude Export API and GH Archive: "YYYY-MM-DDTHH" in UTC, both ends inclusive.
import { EventlakeError } from '../core/errors.ts';
import { pad2 } from './layout.ts';

const HOUR_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

/** Parses "2026-11-01T05" into epoch ms of that UTC hour. */
export function parseHour(s: string, what = 'hour'): number {
  const m = HOUR_RE.exec(s);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4])) : NaN;
  if (!m || Number.isNaN(t) || formatHour(t) !== s) {
    throw new EventlakeError(`invalid ${what} ${JSON.stringify(s)}: expected YYYY-MM-DDTHH in UTC, e.g. 2026-11-01T00`, {
      step: 'cli',
      code: 'USAGE',
    });
  }
  return t;
}

export function formatHour(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}`;
}

export const HOUR_MS = 3_600_000;

/** Every hour start from start to end inclusive. */
export function hoursBetween(startMs: number, endMs: number): number[] {
  if (endMs < startMs) throw new EventlakeError('--end is before --start', { step: 'cli', code: 'USAGE' });
  const out: number[] = [];
  for (let t = startMs; t <= endMs; t += HOUR_MS) out.push(t);
  return out;
}

export function dtOf(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

export function hourOf(t: number): number {
  return new Date(t).getUTCHours();
}
