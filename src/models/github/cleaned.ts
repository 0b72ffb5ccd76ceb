// raw/github/dt=…/hour=…/*.json.gz → cleaned/github/events/dt=… (one Parquet table), per the SourceModel contract.
// Flow per dt: each raw file is split into numbered lines (lines.ts, streaming) and parsed by DuckDB
// (models/github/parse_events.sql) into an intermediate Parquet; then dedup on event id across the dt's files in two
// passes — a narrow one that finds the losing (file, line) pairs from hashed ids (losers.sql, into a small temp table)
// and a streaming rewrite without them (events.sql) — and one pass writes rejects (quarantine.sql). Memory stays
// flat as a dt grows: no file is ever held whole in JS, DuckDB streams the wide rows, and Parquet row groups are
// capped (src/layers/parquet-write.ts).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import type { CleanedBuildArgs, CleanedBuildResult } from '../../core/model.ts';
import type { Engine } from '../../core/engine.ts';
import { sqlString } from '../../engines/duckdb/duckdb-engine.ts';
import { parquetOptions } from '../../layers/parquet-write.ts';
import { asEventlakeError } from '../../core/errors.ts';
import { githubSql } from './sql.ts';
import { splitRawFile, type SplitResult } from './lines.ts';

export const EVENTS_TABLE = 'events';
/** Since this instant the public Events API (and so GH Archive) trims payloads: see design.md "GitHub events". */
export const TRIMMED_SINCE = '2025-10-07 00:00:00';

/** A stable, storage-independent name for a raw file: from `raw/` (or `dt=`) on, else the base name. */
export function rawFileName(path: string): string {
  const p = path.replace(/\\/g, '/');
  const raw = p.lastIndexOf('/raw/');
  if (raw >= 0) return p.slice(raw + 1);
  const dt = p.lastIndexOf('/dt=');
  if (dt >= 0) return p.slice(dt + 1);
  return basename(p);
}

function valuesList(names: string[]): string {
  return names.map((n, i) => `(${i}, ${sqlString(n)})`).join(', ');
}

async function parseOne(engine: Engine, staged: string, out: string, split: SplitResult): Promise<void> {
  await engine.run(
    githubSql('parse_events', {
      staged: sqlString(staged),
      out: sqlString(out),
      last_unterminated: split.unterminatedLastLine,
      trimmed_since: `TIMESTAMP ${sqlString(TRIMMED_SINCE)}`,
      parquet_options: parquetOptions('zstd'),
    }),
  );
}

export async function buildCleaned(args: CleanedBuildArgs): Promise<CleanedBuildResult> {
  const { engine, stagingDir, codec, quarantineFile } = args;
  const files = [...args.rawFiles].sort();
  const names = files.map(rawFileName);
  const work = join(stagingDir, '_github_work');
  const parsedDir = join(work, 'parsed');
  await rm(work, { recursive: true, force: true });
  await mkdir(parsedDir, { recursive: true });
  await mkdir(join(stagingDir, EVENTS_TABLE), { recursive: true });
  try {
    let inputRecords = 0;
    let jsBad = 0;
    const rejectFiles: string[] = [];
    const stagedOf = (i: number) => join(work, `lines-${i}.txt`);
    const rejectsOf = (i: number) => join(work, `rejects-${i}.ndjson`);
    const split = (i: number) => {
      const p = splitRawFile(files[i]!, i, stagedOf(i), rejectsOf(i), names[i]!);
      p.catch(() => undefined); // a failure surfaces when awaited below, not as an unhandled rejection meanwhile
      return p;
    };
    // Split file i+1 in JS while DuckDB parses file i.
    let next: Promise<SplitResult> | undefined = files.length ? split(0) : undefined;
    for (let i = 0; i < files.length; i++) {
      const lines = await next!;
      next = i + 1 < files.length ? split(i + 1) : undefined;
      inputRecords += lines.records;
      jsBad += lines.rejected;
      if (lines.rejected) rejectFiles.push(rejectsOf(i));
      try {
        await parseOne(engine, stagedOf(i), join(parsedDir, `part-${i}.parquet`), lines);
      } catch (e) {
        await next?.catch(() => undefined);
        throw e;
      }
      await rm(stagedOf(i), { force: true });
    }
    if (files.length === 0) {
      // No input: still write an empty, fully typed table so the partition is replaced (a rerun never keeps old rows).
      await writeFile(stagedOf(0), '');
      await parseOne(engine, stagedOf(0), join(parsedDir, 'part-0.parquet'), { records: 0, written: 0, rejected: 0, unterminatedLastLine: 0 });
    }

    const parsedGlob = sqlString(join(parsedDir, '*.parquet'));
    const filesSql = valuesList(files.length ? names : ['(none)']);
    const eventsOut = join(stagingDir, EVENTS_TABLE, 'part-0.parquet');
    const losers = `github_losers_${randomUUID().replace(/-/g, '')}`;
    await engine.run(`CREATE TEMP TABLE ${losers} AS ${githubSql('losers', { parsed: parsedGlob })}`);
    try {
      await engine.run(githubSql('events', { parsed: parsedGlob, files: filesSql, losers, out: sqlString(eventsOut), parquet_options: parquetOptions(codec) }));
    } finally {
      await engine.run(`DROP TABLE IF EXISTS ${losers}`);
    }

    const [counts] = await engine.all<{ parsed: number; bad: number }>(
      `SELECT count(*) AS parsed, count(*) FILTER (WHERE reason IS NOT NULL) AS bad FROM read_parquet(${parsedGlob})`,
    );
    const [written] = await engine.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(eventsOut)})`);
    const sqlBad = Number(counts!.bad);
    const quarantined = sqlBad + jsBad;

    if (quarantined > 0) {
      const sqlOut = join(work, 'quarantine.ndjson');
      if (sqlBad > 0) await engine.run(githubSql('quarantine', { parsed: parsedGlob, files: filesSql, out: sqlString(sqlOut) }));
      await concatFiles(quarantineFile, [...(sqlBad > 0 ? [sqlOut] : []), ...rejectFiles]);
    }
    const rows = Number(written!.n);
    return { inputRecords, rows: { [EVENTS_TABLE]: rows }, quarantined, duplicates: inputRecords - quarantined - rows };
  } catch (e) {
    throw asEventlakeError(e, 'transform.github', `eventlake transform --source github --from ${args.dt} --to ${args.dt}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the concatenation of NDJSON files to target, streaming. */
async function concatFiles(target: string, sources: string[]): Promise<void> {
  const ws = createWriteStream(target);
  for (const src of sources) {
    for await (const chunk of createReadStream(src)) if (!ws.write(chunk)) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
}
