// Realistic GitHub events (Events API / GH Archive shape) for samples, tests, the dev servers and the bench.
// Deterministic for a given seed. Reproduces the quirks the pipeline must survive: payloads trimmed since
// 2025-10-07, bots ("…[bot]"), duplicate ids across hours, ids not monotonic, one repo name reused by two repo ids,
// and (when asked) a truncated last line in an hour file.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { gharchiveFileName } from './names.ts';
import { codec } from '../../codec/index.ts';

export interface GithubEvent {
  id: string;
  type: string;
  actor: { id: number; login: string; display_login: string; gravatar_id: string; url: string; avatar_url: string };
  repo: { id: number; name: string; url: string };
  payload: Record<string, unknown>;
  public: boolean;
  created_at: string;
  org?: { id: number; login: string; gravatar_id: string; url: string; avatar_url: string };
}

/** GitHub trims Events API payloads for events created on/after this instant. */
export const TRIMMED_PAYLOADS_SINCE = Date.UTC(2025, 9, 7);

export interface GenerateOptions {
  /** Hour start (epoch ms); events get created_at inside [hourMs, hourMs+1h). */
  hourMs: number;
  count: number;
  seed?: number;
  /** First id; ids grow from here with some local disorder. Default derived from the hour. */
  startId?: number;
  /** Events re-emitted with the same id (GH Archive has duplicates across hours). */
  duplicates?: GithubEvent[];
  /** Force the payload era; default: trimmed when hourMs >= 2025-10-07. */
  trimmed?: boolean;
}

// Roughly the real mix of event types on public GitHub.
const TYPE_WEIGHTS: Array<[string, number]> = [
  ['PushEvent', 48],
  ['CreateEvent', 12],
  ['WatchEvent', 9],
  ['PullRequestEvent', 8],
  ['IssueCommentEvent', 6],
  ['DeleteEvent', 3],
  ['IssuesEvent', 3],
  ['PullRequestReviewEvent', 3],
  ['PullRequestReviewCommentEvent', 2],
  ['ForkEvent', 2],
  ['ReleaseEvent', 1],
  ['GollumEvent', 1],
  ['CommitCommentEvent', 1],
  ['MemberEvent', 0.5],
  ['PublicEvent', 0.5],
];

const USERS = [
  'octocat', 'torvalds', 'gaearon', 'sindresorhus', 'tj', 'yyx990803', 'mitchellh', 'antirez', 'fabpot', 'jwilm',
  'mkdir-p', 'sarah-dev', 'luis0', 'ana-k', 'wei-zhang', 'priya-s', 'dmitri', 'olu-ade', 'marta-b', 'kenji-t',
  'dependabot[bot]', 'github-actions[bot]', 'renovate[bot]', 'pre-commit-ci[bot]',
];
const ORGS = ['microsoft', 'vercel', 'duckdb', 'apache', 'rust-lang', 'nodejs', 'kubernetes', 'facebook'];
const REPO_NAMES = ['core', 'cli', 'docs', 'website', 'sdk', 'engine', 'api', 'ui', 'infra', 'examples'];
const BRANCHES = ['main', 'master', 'develop', 'feature/login', 'fix/typo', 'release/1.2', 'dependabot/npm_and_yarn/lodash-4.17.21'];
const WORDS = ['fix', 'add', 'update', 'remove', 'refactor', 'bump', 'docs', 'tests', 'parser', 'build', 'cache', 'typo', 'readme', 'ci'];

/** Small fast seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const userId = (login: string) => {
  let h = 7;
  for (const c of login) h = (h * 31 + c.charCodeAt(0)) % 90_000_000;
  return 1000 + h;
};

function actorOf(login: string) {
  const id = userId(login);
  const gravatar = '';
  return {
    id,
    login,
    display_login: login.replace(/\[bot\]$/, ''),
    gravatar_id: gravatar,
    url: `https://api.github.com/users/${login}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?`,
  };
}

function orgOf(login: string) {
  const id = userId('org:' + login);
  return { id, login, gravatar_id: '', url: `https://api.github.com/orgs/${login}`, avatar_url: `https://avatars.githubusercontent.com/u/${id}?` };
}

function repoOf(name: string, idOverride?: number) {
  const id = idOverride ?? 100_000 + userId('repo:' + name);
  return { id, name, url: `https://api.github.com/repos/${name}` };
}

const hex = (r: () => number, n = 40) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};

function pickWeighted(r: () => number): string {
  const total = TYPE_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [t, w] of TYPE_WEIGHTS) {
    x -= w;
    if (x <= 0) return t;
  }
  return 'PushEvent';
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

function userLite(login: string) {
  const a = actorOf(login);
  return { login: a.login, id: a.id, type: login.endsWith('[bot]') ? 'Bot' : 'User', site_admin: false, url: a.url };
}

function payloadFor(type: string, r: () => number, repo: { id: number; name: string; url: string }, actor: string, at: string, trimmed: boolean): Record<string, unknown> {
  const number = 1 + Math.floor(r() * 4000);
  const branch = pick(r, BRANCHES);
  const title = `${pick(r, WORDS)} ${pick(r, WORDS)} ${pick(r, WORDS)}`;
  const htmlBase = `https://github.com/${repo.name}`;
  switch (type) {
    case 'PushEvent': {
      const head = hex(r);
      const before = hex(r);
      const base = { repository_id: repo.id, push_id: 20_000_000_000 + Math.floor(r() * 1e9), ref: `refs/heads/${branch}`, head, before };
      if (trimmed) return base;
      const size = 1 + Math.floor(r() * 4);
      const commits = Array.from({ length: size }, (_, i) => ({
        sha: i === size - 1 ? head : hex(r),
        author: { email: `${actor.replace(/\[bot\]$/, '')}@users.noreply.github.com`, name: actor },
        message: `${title} (#${number})`,
        distinct: true,
        url: `${repo.url}/commits/${hex(r)}`,
      }));
      return { ...base, size, distinct_size: size, commits };
    }
    case 'CreateEvent': {
      const refType = pick(r, ['branch', 'branch', 'tag', 'repository'] as const);
      return {
        ref: refType === 'repository' ? null : refType === 'tag' ? `v${1 + Math.floor(r() * 3)}.${Math.floor(r() * 10)}.0` : branch,
        ref_type: refType,
        full_ref: refType === 'repository' ? null : refType === 'tag' ? 'refs/tags/v1.0.0' : `refs/heads/${branch}`,
        master_branch: 'main',
        description: r() < 0.5 ? `${title} tool` : null,
        pusher_type: 'user',
      };
    }
    case 'DeleteEvent':
      return { ref: branch, ref_type: 'branch', full_ref: `refs/heads/${branch}`, pusher_type: 'user' };
    case 'WatchEvent':
      return { action: 'started' };
    case 'ForkEvent': {
      const forkName = `${actor}/${repo.name.split('/')[1]}`;
      return { forkee: { id: 900_000_000 + Math.floor(r() * 1e8), name: repo.name.split('/')[1], full_name: forkName, private: false, owner: userLite(actor), html_url: `https://github.com/${forkName}`, fork: true, created_at: at } };
    }
    case 'PullRequestEvent': {
      const action = pick(r, ['opened', 'closed', 'closed', 'reopened', 'synchronize', 'labeled'] as const);
      const id = 2_000_000_000 + Math.floor(r() * 1e9);
      const head = { ref: branch, sha: hex(r), repo: { id: repo.id, url: repo.url, name: repo.name } };
      const base = { ref: 'main', sha: hex(r), repo: { id: repo.id, url: repo.url, name: repo.name } };
      if (trimmed) return { action, number, pull_request: { id, number, url: `${repo.url}/pulls/${number}`, head, base } };
      const merged = action === 'closed' && r() < 0.7;
      return {
        action,
        number,
        pull_request: {
          id, number, url: `${repo.url}/pulls/${number}`, html_url: `${htmlBase}/pull/${number}`, state: action === 'closed' ? 'closed' : 'open',
          title, user: userLite(actor), body: r() < 0.5 ? `This PR ${title}.` : null, created_at: at, updated_at: at,
          closed_at: action === 'closed' ? at : null, merged_at: merged ? at : null, merged, draft: false,
          head, base, additions: Math.floor(r() * 500), deletions: Math.floor(r() * 200), changed_files: 1 + Math.floor(r() * 20), commits: 1 + Math.floor(r() * 8),
        },
      };
    }
    case 'IssuesEvent':
      return {
        action: pick(r, ['opened', 'closed', 'reopened', 'labeled'] as const),
        issue: { id: 3_000_000_000 + Math.floor(r() * 1e9), number, title, state: 'open', user: userLite(actor), html_url: `${htmlBase}/issues/${number}`, labels: [], comments: Math.floor(r() * 10), created_at: at, updated_at: at, body: `Steps to reproduce: ${title}` },
      };
    case 'IssueCommentEvent':
      return {
        action: 'created',
        issue: { id: 3_000_000_000 + Math.floor(r() * 1e9), number, title, state: 'open', user: userLite(pick(r, USERS)), html_url: `${htmlBase}/issues/${number}` },
        comment: { id: 4_000_000_000 + Math.floor(r() * 1e9), user: userLite(actor), body: r() < 0.5 ? 'LGTM' : `Could you ${title}?`, created_at: at, updated_at: at, html_url: `${htmlBase}/issues/${number}#issuecomment-1` },
      };
    case 'PullRequestReviewEvent':
      return {
        action: 'created',
        review: { id: 5_000_000_000 + Math.floor(r() * 1e9), user: userLite(actor), state: pick(r, ['approved', 'commented', 'changes_requested'] as const), submitted_at: at, html_url: `${htmlBase}/pull/${number}#pullrequestreview-1` },
        pull_request: { id: 2_000_000_000 + Math.floor(r() * 1e9), number, url: `${repo.url}/pulls/${number}` },
      };
    case 'PullRequestReviewCommentEvent':
      return {
        action: 'created',
        comment: { id: 6_000_000_000 + Math.floor(r() * 1e9), user: userLite(actor), body: `nit: ${title}`, path: 'src/index.ts', created_at: at, updated_at: at },
        pull_request: { id: 2_000_000_000 + Math.floor(r() * 1e9), number, url: `${repo.url}/pulls/${number}` },
      };
    case 'ReleaseEvent':
      return { action: 'published', release: { id: 7_000_000 + Math.floor(r() * 1e7), tag_name: `v${Math.floor(r() * 5)}.${Math.floor(r() * 20)}.${Math.floor(r() * 10)}`, name: title, draft: false, prerelease: r() < 0.2, created_at: at, published_at: at, author: userLite(actor), html_url: `${htmlBase}/releases` } };
    case 'GollumEvent':
      return { pages: [{ page_name: 'Home', title: 'Home', action: pick(r, ['created', 'edited'] as const), sha: hex(r), html_url: `${htmlBase}/wiki/Home` }] };
    case 'CommitCommentEvent':
      return { comment: { id: 8_000_000 + Math.floor(r() * 1e7), commit_id: hex(r), user: userLite(actor), body: 'Nice.', created_at: at } };
    case 'MemberEvent':
      return { action: 'added', member: userLite(pick(r, USERS)) };
    case 'PublicEvent':
      return {};
    default:
      return {};
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function isoZ(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

/** Generates `count` events for one hour, in GH Archive order (roughly by time, ids locally out of order). */
export function generateGithubEvents(opts: GenerateOptions): GithubEvent[] {
  const r = prng(opts.seed ?? Math.floor(opts.hourMs / 3_600_000));
  const trimmed = opts.trimmed ?? opts.hourMs >= TRIMMED_PAYLOADS_SINCE;
  let nextId = opts.startId ?? 40_000_000_000 + Math.floor((opts.hourMs - Date.UTC(2024, 0, 1)) / 1000) * 5;
  const out: GithubEvent[] = [];
  const dups = opts.duplicates ?? [];
  const dupEvery = dups.length ? Math.max(1, Math.floor(opts.count / (dups.length + 1))) : 0;
  let dupIdx = 0;
  for (let i = 0; i < opts.count; i++) {
    if (dupEvery && i > 0 && i % dupEvery === 0 && dupIdx < dups.length) {
      out.push(dups[dupIdx++]!);
      continue;
    }
    const at = isoZ(opts.hourMs + Math.floor((i / opts.count) * 3_600_000) + Math.floor(r() * 2000));
    const type = pickWeighted(r);
    const login = pick(r, USERS);
    const inOrg = r() < 0.45;
    const owner = inOrg ? pick(r, ORGS) : pick(r, USERS).replace(/\[bot\]$/, '');
    const name = `${owner}/${pick(r, REPO_NAMES)}`;
    // One repo was deleted and recreated under the same name: same name, a different id.
    const repo = name === 'octocat/website' && r() < 0.5 ? repoOf(name, 777_000_001) : repoOf(name);
    const ev: GithubEvent = {
      id: String(nextId + (r() < 0.1 ? -Math.floor(r() * 5) - 1 : 0)), // ids are not monotonic
      type,
      actor: actorOf(login),
      repo,
      payload: payloadFor(type, r, repo, login, at, trimmed),
      public: true,
      created_at: at,
    };
    if (inOrg) ev.org = orgOf(owner);
    nextId += 1 + Math.floor(r() * 3) + 6;
    out.push(ev);
  }
  return out;
}

/** Serialises events as one GH Archive hour file (gzip NDJSON), optionally cutting the last line in half. */
export async function writeGharchiveHour(path: string, events: GithubEvent[], opts: { truncateLastLine?: boolean } = {}): Promise<void> {
  const gz = codec().createGzip({ level: 6 });
  const out = createWriteStream(path);
  gz.pipe(out);
  for (let i = 0; i < events.length; i++) {
    let line = JSON.stringify(events[i]) + '\n';
    if (opts.truncateLastLine && i === events.length - 1) line = line.slice(0, Math.floor(line.length / 2));
    if (!gz.write(line)) await once(gz, 'drain');
  }
  gz.end();
  await once(out, 'finish');
}

export interface SampleOptions {
  dir: string;
  startHourMs: number;
  hours: number;
  perHour: number;
  seed?: number;
  /** Hour indexes (0-based) whose file ends with a truncated line. */
  truncateLastLineIn?: number[];
  /** Events repeated from the previous hour (same id). */
  duplicatesPerHour?: number;
}

/** Writes `hours` consecutive GH Archive hour files into `dir`; returns their file names. */
export async function writeGharchiveSample(o: SampleOptions): Promise<string[]> {
  mkdirSync(o.dir, { recursive: true });
  const names: string[] = [];
  let prev: GithubEvent[] = [];
  for (let h = 0; h < o.hours; h++) {
    const hourMs = o.startHourMs + h * 3_600_000;
    const dupN = Math.min(o.duplicatesPerHour ?? 3, prev.length);
    const duplicates = prev.slice(-dupN - 1, -1).slice(0, dupN);
    const events = generateGithubEvents({ hourMs, count: o.perHour, seed: (o.seed ?? 1) * 1000 + h, duplicates });
    const name = gharchiveFileName(hourMs);
    await writeGharchiveHour(join(o.dir, name), events, { truncateLastLine: o.truncateLastLineIn?.includes(h) });
    names.push(name);
    prev = events;
  }
  return names;
}
