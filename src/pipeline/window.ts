// Run windows: a day "YYYY-MM-DD" or an hour "YYYY-MM-DDTHH" (UTC). Scheduled runs cover the previous
// complete window; backfills enumerate every window in an inclusive range.
import { EventlakeError } from '../core/errors.ts';
import type { RunWindow } from './task.ts';

const DAY = /^(\d{4}-\d{2}-\d{2})$/;
const HOUR = /^(\d{4}-\d{2}-\d{2})T(\d{2})$/;
const pad = (n: number) => String(n).padStart(2, '0');

function usage(msg: string): EventlakeError {
  return new EventlakeError(msg, { step: 'pipeline', code: 'USAGE' });
}

export function parseWindow(id: string, granularity: 'day' | 'hour'): RunWindow {
  const re = granularity === 'day' ? DAY : HOUR;
  const m = re.exec(id);
  const start = m ? new Date(granularity === 'day' ? `${m[1]}T00:00:00Z` : `${m[1]}T${m[2]}:00:00Z`) : undefined;
  if (!m || !start || Number.isNaN(start.getTime()) || (granularity === 'hour' && Number(m[2]) > 23)) {
    throw usage(`invalid ${granularity} window ${JSON.stringify(id)}: expected ${granularity === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM-DDTHH'} (UTC)`);
  }
  return windowAt(start, granularity);
}

export function windowAt(instant: Date, granularity: 'day' | 'hour'): RunWindow {
  const s = new Date(instant);
  s.setUTCMinutes(0, 0, 0);
  if (granularity === 'day') s.setUTCHours(0);
  const end = new Date(s.getTime() + (granularity === 'day' ? 86_400_000 : 3_600_000));
  const dt = s.toISOString().slice(0, 10);
  const hourId = (d: Date) => `${d.toISOString().slice(0, 10)}T${pad(d.getUTCHours())}`;
  const last = new Date(end.getTime() - 3_600_000);
  return {
    id: granularity === 'day' ? dt : hourId(s),
    granularity,
    start: s,
    end,
    dt,
    firstHour: hourId(s),
    lastHour: hourId(last),
  };
}

/** The last complete window before `now` (what a schedule firing at `now` should run). */
export function previousWindow(now: Date, granularity: 'day' | 'hour'): RunWindow {
  const cur = windowAt(now, granularity);
  return windowAt(new Date(cur.start.getTime() - 1), granularity);
}

/** Every window from `from` to `to`, both inclusive. */
export function windowsBetween(from: string, to: string, granularity: 'day' | 'hour', max = 10_000): RunWindow[] {
  const a = parseWindow(from, granularity);
  const b = parseWindow(to, granularity);
  if (b.start < a.start) throw usage(`--from ${from} is after --to ${to}`);
  const out: RunWindow[] = [];
  for (let w = a; w.start <= b.start; w = windowAt(w.end, granularity)) {
    out.push(w);
    if (out.length > max) throw usage(`range ${from}..${to} has more than ${max} windows; split it`);
  }
  return out;
}
