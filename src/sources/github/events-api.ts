// GitHub Events API poller: /events, /repos/{o}/{r}/events, /orgs/{org}/events or /users/{u}/events.
// Plays by GitHub's rules: If-None-Match with the last ETag (a 304 costs no quota), X-Poll-Interval between polls,
// x-ratelimit-remaining/reset (sleep until the reset, never hammer), Link pagination up to the 300-event window.
// New events (deduped against a bounded set of recently seen ids kept in _eventlake/state) land as gzip NDJSON at
//   raw/github/dt=YYYY-MM-DD/hour=HH/api-<ts>-<scope>-<hash>.json.gz
// grouped by the events' created_at hour. Keys are derived from the content, so a crash-and-retry rewrites nothing.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from '../../cli/context.ts';
import { EventlakeError } from '../../core/errors.ts';
import { codec } from '../../codec/index.ts';
import { readOptionalSecret } from '../../core/secrets.ts';
import { backoffMs } from '../../core/retry.ts';
import { getJson, putJson } from '../../core/storage.ts';
import { httpGet, readBody, networkError, retryAfterMs } from './http.ts';
import { SOURCE } from './names.ts';
import { githubMetrics } from './metrics.ts';

const STEP = 'poll.github';
const EVENTS_WINDOW = 300; // the Events API never returns more than 300 events per scope

export interface PollGithubOptions {
  /** Poll once and return (otherwise poll until `signal` aborts or `maxPolls` is reached). */
  once?: boolean;
  /** "events" (default), "repos/<o>/<r>", "orgs/<org>" or "users/<u>". */
  scope?: string;
  maxPolls?: number;
  signal?: AbortSignal;
}

export interface PollGithubResult {
  scope: string;
  polls: number;
  requests: number;
  notModified: number;
  fetched: number;
  newEvents: number;
  duplicates: number;
  batches: string[];
  /** Milliseconds spent waiting for rate-limit resets. */
  rateLimitWaitMs: number;
}

interface PollState {
  scope: string;
  etag?: string;
  pollIntervalSec?: number;
  lastPollAt?: string;
  seenIds: string[];
}

export interface ApiEventBatchManifest {
  source: 'github';
  kind: 'api';
  batchId: string;
  scope: string;
  key: string;
  events: number;
  bytes: number;
  sha256: string;
  firstCreatedAt?: string;
  lastCreatedAt?: string;
  polledAt: string;
}

interface ApiEvent {
  id?: unknown;
  created_at?: unknown;
}

/** Validates and normalises a scope; returns it with its API path. */
export function parseScope(scope: string): { scope: string; path: string; slug: string } {
  const s = scope.replace(/^\/+|\/+$/g, '');
  const seg = '[A-Za-z0-9._-]+';
  if (s === 'events' || s === 'public') return { scope: 'events', path: '/events', slug: 'events' };
  if (new RegExp(`^repos/${seg}/${seg}$`).test(s) || new RegExp(`^(orgs|users)/${seg}$`).test(s)) {
    return { scope: s, path: `/${s}/events`, slug: s.replace(/\//g, '_') };
  }
  throw new EventlakeError(`invalid scope ${JSON.stringify(scope)}: expected events, repos/<owner>/<repo>, orgs/<org> or users/<user>`, {
    step: 'cli',
    code: 'USAGE',
  });
}

/** The rel="next" URL of a Link header. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

const compactTs = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');

/** Sleeps `ms`, returning early when `signal` aborts. */
function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function pollGithub(ctx: Context, opts: PollGithubOptions = {}): Promise<PollGithubResult> {
  const cfg = ctx.loaded.config.github.api;
  const { scope, path, slug } = parseScope(opts.scope ?? cfg.scope);
  const token = readOptionalSecret(cfg.tokenEnv); // registered, so logs and errors redact it
  const base = cfg.baseUrl.replace(/\/+$/, '');
  const stateKey = ctx.layout.metaKey('state', SOURCE, `poll-${slug}.json`);
  const state: PollState = (await getJson<PollState>(ctx.storage, stateKey)) ?? { scope, seenIds: [] };
  const seen = new Set(state.seenIds);
  const maxPages = Math.min(cfg.maxPages, Math.ceil(EVENTS_WINDOW / cfg.perPage));
  const result: PollGithubResult = { scope, polls: 0, requests: 0, notModified: 0, fetched: 0, newEvents: 0, duplicates: 0, batches: [], rateLimitWaitMs: 0 };
  let blockedUntil = 0;

  const headersFor = (etag?: string): Record<string, string> => {
    const h: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
    if (token) h.authorization = `Bearer ${token}`;
    if (etag) h['if-none-match'] = etag;
    return h;
  };

  const waitForReset = async (untilMs: number, why: string) => {
    const ms = Math.max(0, untilMs - Date.now());
    if (ms > cfg.maxRateLimitWaitSec * 1000) {
      throw new EventlakeError(`${why}: the reset is ${Math.ceil(ms / 1000)} s away, longer than github.api.maxRateLimitWaitSec`, {
        step: STEP,
        code: 'RATE_LIMIT',
        retryable: true,
        next: `eventlake poll github --scope ${scope} (after ${new Date(untilMs).toISOString()})`,
      });
    }
    ctx.log.warn({ scope, waitMs: ms, until: new Date(untilMs).toISOString() }, `${why}: sleeping until the reset`);
    result.rateLimitWaitMs += ms;
    githubMetrics.apiRateLimitWaitSeconds.inc(ms / 1000);
    await sleepFor(ms, opts.signal);
  };

  const noteRateLimit = (h: IncomingHttpHeaders) => {
    const remaining = Number(h['x-ratelimit-remaining']);
    const reset = Number(h['x-ratelimit-reset']);
    if (h['x-ratelimit-remaining'] !== undefined && remaining <= 0 && Number.isFinite(reset)) blockedUntil = reset * 1000 + 250;
  };

  /** One GET with rate-limit waits and retries; returns status, headers and the body text. */
  const request = async (url: string, etag?: string): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> => {
    for (let attempt = 1; ; attempt++) {
      if (blockedUntil > Date.now()) await waitForReset(blockedUntil, 'GitHub rate limit exhausted');
      if (opts.signal?.aborted) throw new EventlakeError('polling stopped', { step: STEP, code: 'ABORTED' });
      let status: number;
      let headers: IncomingHttpHeaders;
      let text: string;
      try {
        const res = await httpGet(url, { headers: headersFor(etag), timeoutMs: cfg.timeoutMs, step: STEP });
        status = res.status;
        headers = res.headers;
        text = (await readBody(res.body, 32 * 1024 * 1024)).toString('utf8');
      } catch (err) {
        const e = networkError(url, err, STEP);
        if (!e.retryable || attempt >= cfg.retry.attempts) throw e;
        await sleepFor(backoffMs(attempt, cfg.retry.baseMs, cfg.retry.maxMs), opts.signal);
        continue;
      }
      result.requests++;
      githubMetrics.apiRequests.inc({ status: String(status) });
      noteRateLimit(headers);
      if (status === 200 || status === 304) return { status, headers, text };
      const message = safeMessage(text);
      const primaryLimited = (status === 403 || status === 429) && headers['x-ratelimit-remaining'] === '0';
      const hint = retryAfterMs(headers);
      if (primaryLimited || ((status === 403 || status === 429) && hint !== undefined)) {
        // Rate limited: wait for the reset (primary) or Retry-After (secondary), then ask again.
        if (attempt >= cfg.retry.attempts + 2) break;
        await waitForReset(primaryLimited ? blockedUntil : Date.now() + (hint ?? 60_000), `GitHub rate limit (${status}${message ? `: ${message}` : ''})`);
        continue;
      }
      if (status === 401) {
        throw new EventlakeError(`GitHub rejected the credentials (401 ${message || 'Unauthorized'})`, {
          step: STEP,
          code: 'AUTH',
          next: `set a valid token in the environment variable ${cfg.tokenEnv} (or .env) and run the poll again`,
        });
      }
      if (status === 403) {
        throw new EventlakeError(`GitHub refused ${path} (403 ${message || 'Forbidden'})`, {
          step: STEP,
          code: 'FORBIDDEN',
          next: `check that the token in ${cfg.tokenEnv} may read ${scope}`,
        });
      }
      if (status === 404) {
        throw new EventlakeError(`GitHub has no ${scope} (404 ${message || 'Not Found'}) at ${base}${path}`, {
          step: STEP,
          code: 'NOT_FOUND',
          next: 'check the --scope (repos/<owner>/<repo>, orgs/<org>, users/<user>); private ones need a token with access',
        });
      }
      if ((status === 429 || status >= 500) && attempt < cfg.retry.attempts) {
        const wait = Math.max(backoffMs(attempt, cfg.retry.baseMs, cfg.retry.maxMs), hint ?? 0);
        ctx.log.warn({ scope, status, attempt, waitMs: wait }, 'GitHub Events API: retrying');
        await sleepFor(wait, opts.signal);
        continue;
      }
      throw new EventlakeError(`GET ${url} returned HTTP ${status}${message ? `: ${message}` : ''}`, { step: STEP, code: `HTTP_${status}`, retryable: status >= 500 || status === 429 });
    }
    throw new EventlakeError(`still rate limited after waiting for the reset`, { step: STEP, code: 'RATE_LIMIT', retryable: true });
  };

  /** Polls once; returns the server's X-Poll-Interval in seconds (0 when absent). */
  const pollOnce = async (): Promise<number> => {
    const polledAt = new Date().toISOString();
    const first = await request(`${base}${path}?per_page=${cfg.perPage}`, state.etag);
    const interval = Number(first.headers['x-poll-interval']);
    state.pollIntervalSec = Number.isFinite(interval) && interval >= 0 ? interval : undefined;
    result.polls++;
    if (first.status === 304) {
      result.notModified++;
      ctx.log.info({ scope }, `poll ${scope}: not modified (304)`);
      state.lastPollAt = polledAt;
      await putJson(ctx.storage, stateKey, { ...state, seenIds: [...seen] });
      return state.pollIntervalSec ?? 0;
    }
    const fresh: ApiEvent[] = [];
    const dupBefore = result.duplicates;
    const inPoll = new Set<string>();
    let page = first;
    let caughtUp = false;
    for (let n = 1; ; n++) {
      const events = parseEvents(page.text, path);
      result.fetched += events.length;
      for (const e of events) {
        const id = String(e.id ?? '');
        if (!id || seen.has(id) || inPoll.has(id)) {
          result.duplicates++;
          if (seen.has(id)) caughtUp = true;
          continue;
        }
        inPoll.add(id);
        fresh.push(e);
      }
      const next = nextLink(page.headers.link as string | undefined);
      if (caughtUp || !next || n >= maxPages) break;
      page = await request(next);
    }
    const batches = await landBatches(ctx, fresh, scope, slug, polledAt);
    result.batches.push(...batches);
    result.newEvents += fresh.length;
    githubMetrics.apiEvents.inc({ result: 'new' }, fresh.length);
    githubMetrics.apiEvents.inc({ result: 'seen' }, result.duplicates - dupBefore);
    for (const id of inPoll) seen.add(id);
    while (seen.size > cfg.seenIdsMax) seen.delete(seen.values().next().value as string);
    state.etag = typeof first.headers.etag === 'string' ? first.headers.etag : undefined;
    state.lastPollAt = polledAt;
    await putJson(ctx.storage, stateKey, { ...state, seenIds: [...seen] });
    ctx.log.info({ scope, fetched: result.fetched, new: fresh.length, batches: batches.length }, `poll ${scope}: ${fresh.length} new events in ${batches.length} batch(es)`);
    return state.pollIntervalSec ?? 0;
  };

  while (!opts.signal?.aborted) {
    const serverInterval = await pollOnce();
    if (opts.once || (opts.maxPolls !== undefined && result.polls >= opts.maxPolls)) break;
    await sleepFor(Math.max(serverInterval, cfg.pollIntervalSec) * 1000, opts.signal);
  }
  return result;
}

function safeMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    return typeof m === 'string' ? m.slice(0, 200) : '';
  } catch {
    return text.slice(0, 200).trim();
  }
}

function parseEvents(text: string, path: string): ApiEvent[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new EventlakeError(`GitHub ${path} returned a body that is not JSON: ${(e as Error).message}`, { step: STEP, code: 'BAD_BODY', retryable: true });
  }
  if (!Array.isArray(v)) throw new EventlakeError(`GitHub ${path} returned ${typeof v}, expected an array of events`, { step: STEP, code: 'BAD_BODY' });
  return v as ApiEvent[];
}

/** Writes new events as write-once gzip NDJSON batches, one per created_at hour; returns the keys. */
async function landBatches(ctx: Context, events: ApiEvent[], scope: string, slug: string, polledAt: string): Promise<string[]> {
  const groups = new Map<string, ApiEvent[]>();
  for (const e of events) {
    const t = typeof e.created_at === 'string' ? Date.parse(e.created_at) : NaN;
    const at = new Date(Number.isNaN(t) ? Date.parse(polledAt) : t);
    const k = `${at.toISOString().slice(0, 10)}|${at.getUTCHours()}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(e);
  }
  const keys: string[] = [];
  for (const [k, evs] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [dt, h] = k.split('|') as [string, string];
    const created = evs.map((e) => String(e.created_at ?? '')).filter(Boolean).sort();
    const ids = evs.map((e) => String(e.id)).join(',');
    const hash = createHash('sha256').update(ids).digest('hex').slice(0, 12);
    const batchId = `api-${compactTs(created[created.length - 1] ?? polledAt)}-${slug}-${hash}`;
    const key = ctx.layout.rawKey(SOURCE, dt, Number(h), `${batchId}.json.gz`);
    const body = codec().gzipSync(Buffer.from(evs.map((e) => JSON.stringify(e)).join('\n') + '\n'));
    try {
      await ctx.storage.put(key, body, { ifNotExists: true, contentType: 'application/gzip' });
    } catch (err) {
      // Same ids => same key: an earlier run landed this batch before it could save its state.
      if ((err as EventlakeError).code !== 'EXISTS') throw err;
    }
    const manifest: ApiEventBatchManifest = {
      source: 'github',
      kind: 'api',
      batchId,
      scope,
      key,
      events: evs.length,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      firstCreatedAt: created[0],
      lastCreatedAt: created[created.length - 1],
      polledAt,
    };
    await ctx.meta.putManifest(SOURCE, `${batchId}`, manifest);
    keys.push(key);
  }
  return keys;
}
