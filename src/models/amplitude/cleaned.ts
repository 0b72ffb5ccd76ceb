// Raw Amplitude export files of one dt → cleaned/amplitude/events (typed, deduped on uuid) + quarantine.
//
// Speed and memory: the fast path is one streaming read_ndjson(explicit columns) → Parquet COPY over all files of
// the dt, the same work as a bare COPY. Only a file that DuckDB rejects (malformed JSON, invalid UTF-8, a type it
// cannot cast, bad gzip) or whose rows miss required keys goes through the per-line validator, which quarantines
// each bad line with its number and reason and hands the good lines back to DuckDB.
// Dedup is two passes over the staged Parquet so peak memory does not grow with the dt: a narrow pass finds the
// losing rows (hashes of uuids aggregated, only repeated ones windowed; cleaned_losers.sql) into a small temp
// table, and only when there are losers (or re-validated files) a streaming rewrite drops them (anti-join,
// cleaned_dedup.sql). An earlier single statement referenced the staged rows three times in a CTE, which DuckDB
// materialized: every wide row of the dt held (and spilled) at once, peak RSS ~1.3 GB at 2M events per dt.
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { once } from 'node:events';
import type { CleanedBuildArgs, CleanedBuildResult } from '../../core/model.ts';
import type { Engine } from '../../core/engine.ts';
import { sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { modelSql, render, sqlList } from '../../layers/sql-files.ts';
import { parquetOptions } from '../../layers/parquet-write.ts';
import { decodeUtf8, isBlank, scanGzipLines } from '../../layers/ndjson-lines.ts';
import { AMPLITUDE_FIELDS, columnsLiteral } from './schema.ts';
import { normalizeRecord, RecordError } from './validate.ts';

export const MAIN_TABLE = 'events';
const MAX_FAST_RETRIES = 3;
const MAX_QUARANTINED_RECORD_CHARS = 1 << 20;

/** Lineage name of a raw file: dt=…/hour=…/<name> (relative to raw/<source>/), or the base name. */
export function rawFileLabel(path: string): string {
  const m = /(dt=[^/]+\/hour=[^/]+\/[^/]+|[^/]+)$/.exec(path);
  return m ? m[1]! : path;
}
const FILE_LABEL_SQL = `regexp_extract(filename, '(dt=[^/]+/hour=[^/]+/[^/]+|[^/]+)$', 1)`;

function readNdjson(files: string[], compression: 'gzip' | 'uncompressed'): string {
  return `read_ndjson(${sqlList(files)}, columns = ${columnsLiteral(AMPLITUDE_FIELDS)}, format = 'newline_delimited', compression = '${compression}', filename = true)`;
}

function copyTo(select: string, dest: string, codec: string): string {
  return `COPY (${select}) TO ${sqlString(dest)} (${parquetOptions(codec)})`;
}

/** The raw file named in a DuckDB read error, when it is one of `files`. */
function fileInError(message: string, files: string[]): string | undefined {
  const m = /in file "([^"]+)"/.exec(message);
  if (m && files.includes(m[1]!)) return m[1];
  return files.find((f) => message.includes(f));
}

interface Quarantine {
  write(rec: { file: string; line: number | null; reason: string; record: string | null }): void;
  count: number;
  close(): Promise<void>;
}

function openQuarantine(path: string): Quarantine {
  const out = createWriteStream(path);
  const q: Quarantine = {
    count: 0,
    write(rec) {
      q.count++;
      out.write(JSON.stringify(rec) + '\n');
    },
    async close() {
      if (out.closed) return;
      out.end();
      await once(out, 'close');
    },
  };
  return q;
}

/** Groups files into batches of about cleanedTuning.batchBytes compressed: one COPY per batch keeps the files of a batch reading in
 *  parallel, and a rejected file only costs its own batch a second read. */
export const cleanedTuning = { batchBytes: 512 * 1024 * 1024 };
function batches(files: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let bytes = 0;
  for (const f of files) {
    const size = statSync(f).size;
    if (cur.length && bytes + size > cleanedTuning.batchBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Tries the fast path over `files`; returns the files DuckDB rejected. Retries without the rejected file a few times,
 *  then falls back to one COPY per file so a single bad file never costs more than its own read. */
async function fastPath(engine: Engine, files: string[], work: string, codec: string, parts: string[]): Promise<string[]> {
  const rejected: string[] = [];
  const attempt = async (batch: string[]): Promise<string | 'ok' | 'unknown'> => {
    const dest = join(work, `fast-${parts.length}-${randomUUID().slice(0, 8)}.parquet`);
    try {
      await engine.run(copyTo(render(modelSql('amplitude/cleaned_events.sql'), { raw: readNdjson(batch, 'gzip'), file: FILE_LABEL_SQL }), dest, codec));
      parts.push(dest);
      return 'ok';
    } catch (e) {
      rmSync(dest, { force: true });
      return fileInError((e as Error).message, batch) ?? 'unknown';
    }
  };
  for (const batch of batches(files)) {
    let pending = [...batch];
    let done = false;
    for (let i = 0; pending.length > 0 && i < MAX_FAST_RETRIES; i++) {
      const r = await attempt(pending);
      if (r === 'ok' || r === 'unknown') {
        done = r === 'ok';
        break;
      }
      rejected.push(r);
      pending = pending.filter((f) => f !== r);
    }
    if (done || pending.length === 0) continue;
    // Several bad files, or an error that names none: isolate per file.
    for (const f of pending) if ((await attempt([f])) !== 'ok') rejected.push(f);
  }
  return rejected;
}

/** Per-line validation of one raw file: good lines normalized into `cleanPath`, bad ones quarantined. */
async function validateFile(path: string, cleanPath: string, q: Quarantine): Promise<{ input: number; good: number }> {
  const label = rawFileLabel(path);
  const out = createWriteStream(cleanPath);
  let input = 0;
  let good = 0;
  const res = await scanGzipLines(path, async ({ line, bytes, truncated }) => {
    if (isBlank(bytes)) return;
    input++;
    const text = decodeUtf8(bytes);
    const record = (text ?? bytes.toString('utf8')).slice(0, MAX_QUARANTINED_RECORD_CHARS);
    if (text === undefined) return q.write({ file: label, line, reason: 'invalid UTF-8', record });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return q.write({ file: label, line, reason: `malformed JSON${truncated ? ' (truncated line)' : ''}: ${(e as Error).message}`, record });
    }
    if (truncated) return q.write({ file: label, line, reason: 'truncated line (stream cut short)', record });
    try {
      const norm = normalizeRecord(AMPLITUDE_FIELDS, parsed);
      good++;
      if (!out.write(JSON.stringify(norm) + '\n')) await once(out, 'drain');
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      q.write({ file: label, line, reason: e.message, record });
    }
  });
  out.end();
  await once(out, 'close');
  if (res.gzipError) {
    input++; // the unreadable remainder counts as one rejected record so in = out + quarantined + duplicates holds
    q.write({ file: label, line: res.lines + 1, reason: `gzip: ${res.gzipError} (rest of file unreadable)`, record: null });
  }
  return { input, good };
}

/** Dedups the staged `parts` on uuid into `outDir` and returns the rows written. Rows of `excludedLabels` files are
 *  dropped from the fast parts (their validated lines are in their own part). */
async function dedupInto(engine: Engine, parts: string[], fastParts: string[], excludedLabels: string[], outDir: string, finalPath: string, codec: string): Promise<number> {
  const keep = excludedLabels.length ? `NOT (list_contains(${sqlList(fastParts)}, filename) AND list_contains(${sqlList(excludedLabels)}, _file))` : 'true';
  const losers = `amplitude_losers_${randomUUID().replace(/-/g, '')}`;
  await engine.run(`CREATE TEMP TABLE ${losers} AS ${render(modelSql('amplitude/cleaned_losers.sql'), { parts: sqlList(parts), keep })}`);
  try {
    const [c] = await engine.all<{ n: number; l: number }>(
      `SELECT (SELECT count(*) FROM read_parquet(${sqlList(parts)}, filename = true) WHERE ${keep}) AS n, (SELECT count(*) FROM ${losers}) AS l`,
    );
    const n = Number(c!.n);
    const l = Number(c!.l);
    if (l === 0 && excludedLabels.length === 0) {
      // Clean batch: the staged parts are the partition as they are (no rewrite).
      for (const [i, p] of parts.entries()) renameSync(p, join(outDir, `part-${i}.parquet`));
    } else {
      await engine.run(copyTo(render(modelSql('amplitude/cleaned_dedup.sql'), { parts: sqlList(parts), keep, losers }), finalPath, codec));
    }
    return n - l;
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${losers}`);
  }
}

export async function buildAmplitudeCleaned(args: CleanedBuildArgs): Promise<CleanedBuildResult> {
  const { engine, rawFiles, stagingDir, codec } = args;
  const work = join(stagingDir, '_work');
  mkdirSync(work, { recursive: true });
  const outDir = join(stagingDir, MAIN_TABLE);
  mkdirSync(outDir, { recursive: true });
  const finalPath = join(outDir, 'part-0.parquet');
  const q = openQuarantine(args.quarantineFile);
  try {
    const parts: string[] = [];
    const slow = rawFiles.length ? await fastPath(engine, rawFiles, work, codec, parts) : [];
    const fastParts = [...parts];

    // Files whose rows miss required keys: re-read line by line so each bad record is named.
    const excludedLabels: string[] = [];
    let fastInput = 0;
    if (parts.length) {
      const perFile = await engine.all<{ _file: string; rows: number; bad: number }>(render(modelSql('amplitude/cleaned_checks.sql'), { parts: sqlList(parts) }));
      for (const r of perFile) {
        if (Number(r.bad) > 0) {
          excludedLabels.push(r._file);
          const path = rawFiles.find((f) => rawFileLabel(f) === r._file);
          if (path && !slow.includes(path)) slow.push(path);
        } else fastInput += Number(r.rows);
      }
    }

    let slowInput = 0;
    for (const [k, path] of slow.entries()) {
      const cleanPath = join(work, `valid-${k}.ndjson`);
      const { input, good } = await validateFile(path, cleanPath, q);
      slowInput += input;
      if (good > 0) {
        const dest = join(work, `valid-${k}.parquet`);
        const select = render(modelSql('amplitude/cleaned_events.sql'), { raw: readNdjson([cleanPath], 'uncompressed'), file: sqlString(rawFileLabel(path)) });
        await engine.run(copyTo(select, dest, codec));
        parts.push(dest);
      }
    }

    let rows = 0;
    if (parts.length === 0) {
      // Nothing valid: an empty partition with the full schema, so readers still see the table.
      const empty = join(work, 'empty.ndjson');
      writeFileSync(empty, '');
      await engine.run(copyTo(render(modelSql('amplitude/cleaned_events.sql'), { raw: readNdjson([empty], 'uncompressed'), file: "''" }), finalPath, codec));
    } else {
      rows = await dedupInto(engine, parts, fastParts, excludedLabels, outDir, finalPath, codec);
    }
    const inputRecords = fastInput + slowInput;
    return { inputRecords, rows: { [MAIN_TABLE]: rows }, quarantined: q.count, duplicates: inputRecords - rows - q.count };
  } finally {
    await q.close();
    rmSync(work, { recursive: true, force: true });
    if (!existsSync(finalPath)) rmSync(outDir, { recursive: true, force: true });
  }
}
