// The date range the dashboard opens with: the days that have data (GitHub and Amplitude bounds the principal can
// see), at most the last 31. Shared by the page (web/src/main.ts) and the server's cache pre-warming, so the first
// page load asks exactly what was pre-computed. Pure: no Node or DOM imports.
export interface Bounds {
  first_day?: unknown;
  last_day?: unknown;
}

export const DEFAULT_LIMIT = 10;
export const DEFAULT_BREAKDOWN = 'event_type';

export function defaultRange(bounds: Bounds[], today = new Date().toISOString().slice(0, 10)): { from: string; to: string } {
  let lo = '';
  let hi = '';
  for (const b of bounds) {
    if (!b.first_day || !b.last_day) continue;
    const f = String(b.first_day);
    const l = String(b.last_day);
    lo = lo && lo < f ? lo : f;
    hi = hi > l ? hi : l;
  }
  if (!hi) hi = lo = today;
  const monthBefore = new Date(Date.parse(`${hi}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
  return { from: lo > monthBefore ? lo : monthBefore, to: hi };
}
