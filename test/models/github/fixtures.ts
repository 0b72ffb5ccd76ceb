// Small GitHub fixtures in the real formats (GH Archive lines of the Events API era, post-2025-10-07 trimmed payloads,
// the pre-2015 timeline format), a harness that runs the model the way the transform/aggregate framework does, and a
// plain-JS reference that computes the expected gold/query results from the fixture lines (independently of the SQL).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDbEngine } from '../../../src/engines/duckdb/duckdb-engine.ts';
import { model } from '../../../src/models/github/index.ts';
import type { CleanedBuildResult } from '../../../src/core/model.ts';

export interface ModernOpts {
  id: string;
  type: string;
  actorId: number;
  login: string;
  repoId: number;
  repoName: string;
  createdAt: string;
  payload?: Record<string, unknown>;
  org?: { id: number; login: string };
}

export function modern(o: ModernOpts): string {
  const ev: Record<string, unknown> = {
    id: o.id,
    type: o.type,
    actor: {
      id: o.actorId,
      login: o.login,
      display_login: o.login,
      gravatar_id: '',
      url: `https://api.github.com/users/${o.login}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${o.actorId}?`,
    },
    repo: { id: o.repoId, name: o.repoName, url: `https://api.github.com/repos/${o.repoName}` },
    payload: o.payload ?? {},
    public: true,
    created_at: o.createdAt,
  };
  if (o.org) ev.org = { id: o.org.id, login: o.org.login, gravatar_id: '', url: `https://api.github.com/orgs/${o.org.login}`, avatar_url: '' };
  return JSON.stringify(ev);
}

/** Full (pre-2025-10-07) PushEvent payload. */
export function fullPush(size: number): Record<string, unknown> {
  const commits = Array.from({ length: size }, (_, i) => ({ sha: `c${i}`.padEnd(40, '0'), author: { email: 'a@example.com', name: 'A' }, message: `commit ${i}`, distinct: true, url: 'https://api.github.com/x' }));
  return { repository_id: 1, push_id: 9001, size, distinct_size: size, ref: 'refs/heads/main', head: 'h'.padEnd(40, '1'), before: 'b'.padEnd(40, '2'), commits };
}

/** Trimmed (since 2025-10-07) PushEvent payload: no commits/size/distinct_size. */
export function trimmedPush(): Record<string, unknown> {
  return { repository_id: 1, push_id: 9002, ref: 'refs/heads/main', head: 'h'.padEnd(40, '3'), before: 'b'.padEnd(40, '4') };
}

/** Trimmed PullRequestEvent payload: pull_request keeps only id/number/url/head/base. */
export function trimmedPr(number: number): Record<string, unknown> {
  return {
    action: 'opened',
    number,
    pull_request: { id: 5000 + number, number, url: `https://api.github.com/repos/x/y/pulls/${number}`, head: { ref: 'feature', sha: 'f'.padEnd(40, '5') }, base: { ref: 'main', sha: 'm'.padEnd(40, '6') } },
  };
}

export interface TimelineOpts {
  type: string;
  login: string;
  createdAt: string;
  repo?: { id: number; owner: string; name: string; stargazers: number; organization?: string };
  payload?: Record<string, unknown>;
}

/** A pre-2015 GH Archive "timeline" line: actor is a string, `repository` instead of `repo`, no id. */
export function timeline(o: TimelineOpts): string {
  const ev: Record<string, unknown> = {};
  if (o.repo) {
    ev.repository = {
      has_issues: true,
      url: `https://github.com/${o.repo.owner}/${o.repo.name}`,
      watchers: o.repo.stargazers,
      created_at: '2011/05/01 10:00:00 -0700',
      forks: 3,
      size: 120,
      private: false,
      fork: false,
      owner: o.repo.owner,
      name: o.repo.name,
      id: o.repo.id,
      language: 'Ruby',
      stargazers: o.repo.stargazers,
      ...(o.repo.organization ? { organization: o.repo.organization } : {}),
    };
  }
  ev.actor_attributes = { login: o.login, type: 'User', gravatar_id: '0'.repeat(32), name: o.login.toUpperCase() };
  ev.created_at = o.createdAt;
  ev.public = true;
  ev.actor = o.login;
  ev.payload = o.payload ?? {};
  ev.url = o.repo ? `https://github.com/${o.repo.owner}/${o.repo.name}` : `https://github.com/${o.login}`;
  ev.type = o.type;
  return JSON.stringify(ev);
}

/** A gzip of the given lines joined by "\n" (with a trailing newline unless `unterminated`). */
export function gz(lines: (string | Buffer)[], opts: { unterminated?: boolean; eol?: string } = {}): Buffer {
  const eol = Buffer.from(opts.eol ?? '\n');
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    parts.push(Buffer.isBuffer(l) ? l : Buffer.from(l));
    if (i < lines.length - 1 || !opts.unterminated) parts.push(eol);
  });
  return gzipSync(Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------------------------------------
// The main fixture: dt=2025-10-07, two hourly files. Every line's fate is listed in `expected*` below.
export const DT_MODERN = '2025-10-07';
const org = { id: 9919, login: 'acme' };

export const hour00Lines: (string | Buffer)[] = [
  /* 1 */ modern({ id: '50000000001', type: 'PushEvent', actorId: 101, login: 'alice', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-06T23:59:58Z', payload: fullPush(2), org }),
  /* 2 */ modern({ id: '50000000002', type: 'WatchEvent', actorId: 102, login: 'bob', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-07T00:00:01Z', payload: { action: 'started' }, org }),
  /* 3 */ modern({ id: '50000000003', type: 'PushEvent', actorId: 101, login: 'alice', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-07T00:00:05Z', payload: trimmedPush(), org }),
  /* 4 */ modern({ id: '50000000004', type: 'PullRequestEvent', actorId: 103, login: 'dependabot[bot]', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-07T00:01:00Z', payload: trimmedPr(7), org }),
  /* 5 */ '',
  /* 6 */ modern({ id: '50000000002', type: 'WatchEvent', actorId: 102, login: 'bob', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-07T00:00:01Z', payload: { action: 'started' }, org }), // duplicate in-file
  /* 7 */ '{"id":"50000000099","type":"PushEvent","actor":{"id":1',
  /* 8 */ JSON.stringify({ id: '50000000010', type: 'IssuesEvent', actor: { id: 104, login: 'carol' }, payload: { action: 'opened' }, public: true, created_at: '2025-10-07T00:02:00Z' }), // no repo
  /* 9 */ JSON.stringify({ id: '50000000011', type: 'IssuesEvent', actor: { id: '104', login: 'carol' }, repo: { id: 1002, name: 'carol/notes' }, payload: {}, public: true, created_at: '2025-10-07T00:02:00Z' }), // actor.id string
  /* 10 */ modern({ id: '50000000012', type: 'WatchEvent', actorId: 104, login: 'carol', repoId: 2002, repoName: 'old/name', createdAt: '2025-10-07T00:03:00Z', payload: { action: 'started' } }),
  /* 11 */ modern({ id: '50000000013', type: 'WatchEvent', actorId: 105, login: 'renovate-bot', repoId: 2003, repoName: 'old/name', createdAt: '2025-10-07T00:04:00Z', payload: { action: 'started' } }), // same name, other id
  /* 12 */ '[1,2,3]',
  /* 13 */ JSON.stringify({ id: '50000000014', actor: { id: 104, login: 'carol' }, repo: { id: 1002, name: 'carol/notes' }, payload: {}, public: true, created_at: '2025-10-07T00:05:00Z' }), // no type
  /* 14 */ modern({ id: '50000000015', type: 'IssueCommentEvent', actorId: 104, login: 'carol', repoId: 1002, repoName: 'carol/notes', createdAt: '2025-10-07T00:06:00Z', payload: { action: 'created', issue: { number: 3 } } }),
  /* 15 */ '{"id":"50000000016","type":"WatchEvent","actor":{"id":105,"log', // truncated last line (no newline)
];

export const hour01Lines: (string | Buffer)[] = [
  /* 1 */ modern({ id: '50000000003', type: 'PushEvent', actorId: 101, login: 'alice', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-07T00:00:05Z', payload: trimmedPush(), org }), // duplicate across files
  /* 2 */ modern({ id: '50000000020', type: 'PushEvent', actorId: 101, login: 'alice', repoId: 1002, repoName: 'carol/notes', createdAt: '2025-10-07T01:10:00Z', payload: trimmedPush() }),
  /* 3 */ Buffer.concat([Buffer.from('{"id":"50000000021","type":"PushEvent","actor":{"id":101,"login":"al'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]),
  /* 4 */ modern({ id: '50000000022', type: 'WatchEvent', actorId: 101, login: 'alice-renamed', repoId: 2002, repoName: 'new/name', createdAt: '2025-10-07T01:20:00Z', payload: { action: 'started' } }), // repo 2002 renamed, alice renamed
  /* 5 */ JSON.stringify({ id: '50000000023', type: 'ForkEvent', actor: { id: 106, login: 'dave' }, repo: { id: 1001, name: 'acme/widgets' }, payload: { forkee: { id: 3001 } }, public: 'yes', created_at: '2025-10-07T01:30:00Z' }), // public not boolean
  /* 6 */ JSON.stringify({ id: '50000000024', type: 'ForkEvent', actor: { id: 106, login: 'dave' }, repo: { id: 1001, name: 'acme/widgets' }, payload: { forkee: { id: 3001 } }, public: true, created_at: 'yesterday' }),
  /* 7 */ modern({ id: '50000000025', type: 'ForkEvent', actorId: 106, login: 'dave', repoId: 1001, repoName: 'acme/widgets', createdAt: '2025-10-07T01:40:00Z', payload: { forkee: { id: 3001 } }, org }),
  /* 8 */ '{"id":"50000000026","type":"Push\u0001Event"}', // a raw control character (\u0001 in this TS literal is the raw byte)
];

/** hour00 is written with CRLF line ends and an unterminated (truncated) last line; hour01 with LF. */
export function writeModernRaw(root: string): string[] {
  const a = join(root, 'raw/github/dt=2025-10-07/hour=00/2025-10-07-0.json.gz');
  const b = join(root, 'raw/github/dt=2025-10-07/hour=01/2025-10-07-1.json.gz');
  mkdirSync(join(a, '..'), { recursive: true });
  mkdirSync(join(b, '..'), { recursive: true });
  writeFileSync(a, gz(hour00Lines, { unterminated: true, eol: '\r\n' }));
  writeFileSync(b, gz(hour01Lines));
  return [b, a]; // deliberately unsorted: the model orders files itself
}

export const FILE00 = 'raw/github/dt=2025-10-07/hour=00/2025-10-07-0.json.gz';
export const FILE01 = 'raw/github/dt=2025-10-07/hour=01/2025-10-07-1.json.gz';

/** The quarantine the fixture must produce: [file, line, reason]. */
export const expectedQuarantine: [string, number, string][] = [
  [FILE00, 7, 'malformed JSON'],
  [FILE00, 8, 'missing key: repo'],
  [FILE00, 9, 'wrong type: actor.id must be an integer'],
  [FILE00, 12, 'not a JSON object'],
  [FILE00, 13, 'missing key: type'],
  [FILE00, 15, 'truncated last line: malformed JSON without a trailing newline'],
  [FILE01, 3, 'invalid UTF-8'],
  [FILE01, 5, 'wrong type: public must be a boolean'],
  [FILE01, 6, 'unparseable created_at: yesterday'],
  [FILE01, 8, 'malformed JSON: raw control character'],
];

// ---------------------------------------------------------------------------------------------------------------------
// Pre-2015 timeline fixture: dt=2012-02-11, both created_at formats, an exact duplicate line, an event without repo.
export const DT_TIMELINE = '2012-02-11';
export const timelineLines: string[] = [
  /* 1 */ timeline({ type: 'WatchEvent', login: 'zed', createdAt: '2012/02/11 10:38:16 -0700', repo: { id: 7001, owner: 'rails', name: 'rails', stargazers: 12000, organization: 'rails' }, payload: { action: 'started' } }),
  /* 2 */ timeline({ type: 'PushEvent', login: 'Zed', createdAt: '2012/02/11 16:00:00 -0800', repo: { id: 7002, owner: 'zed', name: 'dotfiles', stargazers: 3 }, payload: { shas: [['abc', 'z@example.com', 'msg', 'Zed']], size: 1, ref: 'refs/heads/master', head: 'abc' } }),
  /* 3 */ timeline({ type: 'WatchEvent', login: 'yan', createdAt: '2012-02-11T09:00:00-08:00', repo: { id: 7001, owner: 'rails', name: 'rails', stargazers: 12001, organization: 'rails' }, payload: { action: 'started' } }),
  /* 4 */ timeline({ type: 'FollowEvent', login: 'yan', createdAt: '2012-02-11T09:30:00-08:00', payload: { target: { login: 'zed', id: 1 } } }),
];
/** Line 5 repeats line 1 byte for byte (same synthetic id: deduplicated). */
export const timelineFileLines = [...timelineLines, timelineLines[0]!];

export function writeTimelineRaw(root: string): string[] {
  const p = join(root, 'raw/github/dt=2012-02-11/hour=18/2012-02-11-18.json.gz');
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, gz(timelineFileLines));
  return [p];
}

export const md5 = (s: string) => createHash('md5').update(s).digest('hex');

// ---------------------------------------------------------------------------------------------------------------------
// Harness: runs buildCleaned / buildAggregated the way the framework does (staging → cleaned/<table>/dt=…/).
export interface Harness {
  root: string;
  engine: DuckDbEngine;
  cleanedRoot: string;
  aggregatedRoot: string;
  clean(dt: string, rawFiles: string[]): Promise<CleanedBuildResult & { quarantineLines: Record<string, unknown>[] }>;
  aggregate(dts: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function harness(): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'el-gh-model-'));
  const engine = await DuckDbEngine.open({ threads: 2, memoryLimit: '512MB', tempDirectory: join(root, 'spill') });
  const cleanedRoot = join(root, 'cleaned/github');
  const aggregatedRoot = join(root, 'aggregated/github');
  let run = 0;
  return {
    root,
    engine,
    cleanedRoot,
    aggregatedRoot,
    async clean(dt, rawFiles) {
      const stagingDir = join(root, 'staging', `c${run++}`);
      const quarantineFile = join(root, `quarantine-${run}.ndjson`);
      const res = await model.buildCleaned({ engine, dt, rawFiles, stagingDir, codec: 'zstd', quarantineFile });
      for (const t of model.cleanedTables) {
        const dir = join(cleanedRoot, t, `dt=${dt}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        renameSync(join(stagingDir, t, 'part-0.parquet'), join(dir, 'part-0.parquet'));
      }
      let quarantineLines: Record<string, unknown>[] = [];
      try {
        const { readFileSync } = await import('node:fs');
        quarantineLines = readFileSync(quarantineFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      return { ...res, quarantineLines };
    },
    async aggregate(dts) {
      const stagingDir = join(root, 'staging', `a${run++}`);
      mkdirSync(stagingDir, { recursive: true });
      const rows = await model.buildAggregated!({ engine, dts, cleanedRoot, aggregatedRoot, stagingDir, codec: 'zstd' });
      promoteStagedGold(stagingDir, aggregatedRoot);
      return rows;
    },
    async close() {
      await engine.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * What the aggregate framework does with the model's staging folder (src/layers/aggregate.ts): every staged table is
 * swapped in, per dt partition when it has dt= folders, else whole. Only declared gold tables may be staged.
 */
export function promoteStagedGold(stagingDir: string, aggregatedRoot: string): void {
  for (const table of readdirSync(stagingDir)) {
    if (!model.goldTables!.includes(table)) throw new Error(`model staged an undeclared table folder: ${table}`);
    const tdir = join(stagingDir, table);
    const parts = readdirSync(tdir).filter((d) => d.startsWith('dt='));
    const moves = parts.length ? parts.map((p) => [join(tdir, p), join(aggregatedRoot, table, p)]) : [[tdir, join(aggregatedRoot, table)]];
    for (const [from, to] of moves) {
      rmSync(to!, { recursive: true, force: true });
      mkdirSync(join(to!, '..'), { recursive: true });
      renameSync(from!, to!);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Plain-JS reference: from fixture lines (already known good) to what gold and the named queries must return.
export interface RefEvent {
  dt: string;
  id: string;
  type: string;
  userId: number;
  login: string;
  repoId: number | null;
  repoName: string | null;
  createdAt: number;
}

/** Parses good lines of either format the simple way (JSON.parse + Date), first occurrence of an id wins. */
export function referenceEvents(files: { dt: string; lines: (string | Buffer)[]; bad: number[] }[]): RefEvent[] {
  const seen = new Set<string>();
  const out: RefEvent[] = [];
  for (const f of files) {
    f.lines.forEach((l, i) => {
      if (f.bad.includes(i + 1) || Buffer.isBuffer(l) || l.trim() === '') return;
      const e = JSON.parse(l) as Record<string, any>;
      const isTimeline = typeof e.actor === 'string';
      const id = isTimeline ? `tl-${md5(l)}` : String(e.id);
      if (seen.has(id)) return;
      seen.add(id);
      const login: string = isTimeline ? e.actor : e.actor.login;
      const created = String(e.created_at).replace(/^(\d{4})\/(\d{2})\/(\d{2}) (\S+) ([+-]\d{2})(\d{2})$/, '$1-$2-$3T$4$5:$6');
      const repo = isTimeline ? e.repository : e.repo;
      out.push({
        dt: f.dt,
        id,
        type: e.type,
        userId: isTimeline ? -parseInt(md5(login.toLowerCase()).slice(0, 13), 16) : e.actor.id,
        login,
        repoId: repo ? repo.id : null,
        repoName: repo ? (isTimeline ? `${repo.owner}/${repo.name}` : repo.name) : null,
        createdAt: Date.parse(created),
      });
    });
  }
  return out;
}

export function countBy<T>(xs: T[], key: (x: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
}
