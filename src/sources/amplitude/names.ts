// Names the Amplitude Export API uses: the YYYYMMDDTHH window parameters and the zip entry names
// `<projectId>/<projectId>_<yyyy-MM-dd>_<H>#<n>.json.gz` (hour not zero-padded), and how they map to raw keys.
import { pad2 } from '../../lake/layout.ts';

export const SOURCE = 'amplitude';
export const STEP = 'extract.amplitude';

/** Epoch ms of an hour -> "20261101T05" as the Export API expects. */
export function apiHour(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}`;
}

/** "20261101T05" -> epoch ms, or NaN when malformed. */
export function parseApiHour(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})$/.exec(s);
  if (!m) return NaN;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return apiHour(t) === s ? t : NaN;
}

export interface ExportEntryName {
  projectId: string;
  dt: string; // YYYY-MM-DD
  hour: number; // 0-23
  part: number; // the #n
  /** Base name as in the zip, e.g. "187520_2026-11-01_5#0.json.gz". */
  baseName: string;
  /** Base name safe for object keys ('#' -> '_'), e.g. "187520_2026-11-01_5_0.json.gz". */
  keyName: string;
}

const BASE_RE = /^(\d{1,20})_(\d{4}-\d{2}-\d{2})_(\d{1,2})#(\d{1,6})\.json\.gz$/;

/** Parses a base name like "187520_2026-11-01_5#0.json.gz"; undefined when it is not in that form. */
export function parseBaseName(baseName: string): ExportEntryName | undefined {
  const m = BASE_RE.exec(baseName);
  if (!m) return undefined;
  const dt = m[2]!;
  const hour = Number(m[3]);
  if (hour > 23 || Number.isNaN(Date.parse(`${dt}T00:00:00Z`)) || new Date(`${dt}T00:00:00Z`).toISOString().slice(0, 10) !== dt) return undefined;
  return { projectId: m[1]!, dt, hour, part: Number(m[4]), baseName, keyName: baseName.replace(/#/g, '_') };
}

/** The base name Amplitude would give the n-th file of an hour. */
export function exportBaseName(projectId: string, hourMs: number, part: number): string {
  const d = new Date(hourMs);
  return `${projectId}_${d.toISOString().slice(0, 10)}_${d.getUTCHours()}#${part}.json.gz`;
}

export type EntryProblem = 'ZIP_SLIP' | 'ZIP_SYMLINK' | 'ZIP_ENTRY_NAME';

/**
 * Checks a zip entry path before anything is written: no absolute paths, no drive letters, no '..' or '.' segments,
 * no backslashes or control characters. Returns the problem code or undefined when the path is safe.
 */
export function unsafePathProblem(path: string): EntryProblem | undefined {
  if (path.length === 0 || path.length > 1024) return 'ZIP_ENTRY_NAME';
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\\')) return 'ZIP_SLIP';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) return 'ZIP_ENTRY_NAME';
  const segs = path.split('/');
  if (segs.some((s) => s === '..' || s === '.')) return 'ZIP_SLIP';
  return undefined;
}

/** Unix mode bits of a zip entry made on Unix (upper 16 bits of external attributes). */
export function isSymlinkEntry(externalFileAttributes: number, versionMadeBy: number): boolean {
  const hostOs = versionMadeBy >> 8;
  const mode = externalFileAttributes >>> 16;
  // 3 = Unix; also honour the mode bits whenever they are set (some tools use other host ids).
  return (hostOs === 3 || mode !== 0) && (mode & 0o170000) === 0o120000;
}
