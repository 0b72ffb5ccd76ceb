// File and key names for GitHub data: GH Archive's hour files (hour NOT zero-padded) and our raw/ names (padded).
import { dtOf, hourOf } from '../../lake/hours.ts';
import { pad2 } from '../../lake/layout.ts';

export const SOURCE = 'github';

/** GH Archive's name for an hour: "2026-11-01-5.json.gz". */
export function gharchiveFileName(hourMs: number): string {
  return `${dtOf(hourMs)}-${hourOf(hourMs)}.json.gz`;
}

/** Our batch id for a GH Archive hour: "gharchive-2026-11-01-05" (also the raw file's base name). */
export function gharchiveBatchId(hourMs: number): string {
  return `gharchive-${dtOf(hourMs)}-${pad2(hourOf(hourMs))}`;
}

/** Checkpoint window name for a GH Archive hour: "gharchive-2026-11-01T05". */
export function gharchiveWindow(hourMs: number): string {
  return `gharchive-${dtOf(hourMs)}T${pad2(hourOf(hourMs))}`;
}

/** Parses GH Archive's "2026-11-01-5.json.gz" into the hour's epoch ms, or undefined. */
export function parseGharchiveFileName(name: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{1,2})\.json\.gz$/.exec(name);
  if (!m) return undefined;
  const h = Number(m[4]);
  if (h > 23 || (m[4]!.length === 2 && m[4]!.startsWith('0'))) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), h);
  return Number.isNaN(t) ? undefined : t;
}
