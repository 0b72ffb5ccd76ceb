// The dashboard's HTTP surface without a browser: sign-in, governed panels per principal, parameter validation,
// the page files (no escaping the built folder), pipeline health and the audit entries panel queries leave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { startServe, type RunningServer } from '../../src/serve/server.ts';
import { createDashboardPlugin } from '../../src/serve/plugins/dashboard.ts';
import { sampleLake, setTokenEnv, TOKENS, type SampleLake } from './fixture.ts';

let lake: SampleLake;
let server: RunningServer;

before(async () => {
  setTokenEnv();
  lake = await sampleLake();
  const dist = join(lake.dir, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>test page</title>');
  await writeFile(join(dist, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(lake.dir, 'secret.txt'), 'do not serve');
  server = await startServe(lake.ctx, { port: 0, pluginInstances: [createDashboardPlugin({ distDir: dist, build: false, goldRelistMs: 0 })] });
});

after(async () => {
  await server?.close();
  await lake?.cleanup();
});

const get = (path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('dashboard API: no token or a wrong token is 401; /me names the principal', async () => {
  assert.equal((await get('/dashboard/api/panels/event_type_trends')).status, 401);
  assert.equal((await get('/dashboard/api/health', 'nope')).status, 401);
  const me = await (await get('/dashboard/api/me', TOKENS.alice)).json();
  assert.deepEqual(me, { principal: 'alice', owner: 'alice', admin: false });
});

test('dashboard API: panels are governed: totals per principal equal DuckDB on the gold files with their row filter', async () => {
  const e = await DuckDbEngine.open();
  try {
    const fact = `read_parquet(${sqlString(join(lake.gold, 'github', 'fact_events', '*', '*.parquet'))}, hive_partitioning = false)`;
    const repo = `read_parquet(${sqlString(join(lake.gold, 'github', 'dim_repo', '*.parquet'))})`;
    const [all] = await e.all<{ n: bigint }>(`SELECT sum(event_count) AS n FROM ${fact}`);
    const [alice] = await e.all<{ n: bigint }>(`SELECT sum(event_count) AS n FROM ${fact} WHERE repo_id IN (SELECT repo_id FROM ${repo} WHERE owner_login = 'alice')`);
    const total = async (token: string) => {
      const r = (await (await get('/dashboard/api/panels/event_type_trends', token)).json()) as { rows: { events: number }[] };
      return r.rows.reduce((a, x) => a + x.events, 0);
    };
    assert.equal(await total(TOKENS.admin), Number(all!.n));
    assert.equal(await total(TOKENS.alice), Number(alice!.n));
    assert.ok(Number(alice!.n) < Number(all!.n));
    // The analyst's policy hashes logins: the dashboard shows the hash, never the login.
    const users = (await (await get('/dashboard/api/panels/most_active_users?limit=3', TOKENS.analyst)).json()) as { rows: { login: string }[] };
    assert.equal(users.rows.length, 3);
    for (const u of users.rows) assert.match(u.login, /^[0-9a-f]{32}$/);
    // Amplitude gold is not granted to a repo owner.
    const amp = await get('/dashboard/api/panels/amplitude_dau', TOKENS.alice);
    assert.equal(amp.status, 403);
    assert.match(((await amp.json()) as { error: string }).error, /not available to this principal/);
  } finally {
    await e.close();
  }
});

test('dashboard API: bad parameters are 400 naming the parameter; unknown panels 404; quotes in repo names stay data', async () => {
  const cases: [string, RegExp][] = [
    ['from=2026-13-45', /from must be a date/],
    ['from=2026-11-03&to=2026-11-01', /after/],
    ['limit=0', /limit must be an integer 1-100/],
    ['by=user_id', /by must be one of/],
  ];
  for (const [q, re] of cases) {
    const r = await get(`/dashboard/api/panels/amplitude_daily_events?${q}`, TOKENS.admin);
    assert.equal(r.status, 400, q);
    assert.match(((await r.json()) as { error: string }).error, re, q);
  }
  assert.equal((await get('/dashboard/api/panels/drop_tables', TOKENS.admin)).status, 404);
  const inj = await get(`/dashboard/api/panels/events_by_repo?repos=${encodeURIComponent("x') OR 1=1 --,alice/app")}`, TOKENS.admin);
  assert.equal(inj.status, 200);
  const rows = ((await inj.json()) as { rows: { repo_name: string }[] }).rows;
  assert.deepEqual([...new Set(rows.map((r) => r.repo_name))], ['alice/app']);
});

test('dashboard API: every panel query is in the audit trail under the principal', async () => {
  const audit = new AuditLog(lake.ctx.storage, lake.ctx.layout);
  await get('/dashboard/api/panels/top_repos_by_stars', TOKENS.alice);
  const entries: { actor: string; detail?: Record<string, unknown> }[] = [];
  for await (const { entry } of audit.entries()) if (entry) entries.push(entry);
  assert.ok(entries.some((x) => x.actor === 'alice' && x.detail?.named === 'dashboard:top_repos_by_stars' && x.detail?.via === 'dashboard'));
  assert.equal((await audit.verify()).ok, true);
});

test('dashboard page files: served from the built folder only', async () => {
  const page = await get('/dashboard/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.match(await page.text(), /test page/);
  const js = await get('/dashboard/assets/app.js');
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  for (const p of ['/dashboard/../secret.txt', '/dashboard/%2e%2e/secret.txt', '/dashboard/..%2fsecret.txt', '/dashboard/nope.js']) {
    const r = await get(p);
    assert.notEqual(r.status, 200, p);
    assert.doesNotMatch(await r.text(), /do not serve/, p);
  }
  const redirect = await fetch(`${server.url}/dashboard`, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
});

test('dashboard health: last run per pipeline, freshness from checkpoints, quarantine records by reason, alerts, anomalies', async () => {
  const h = (await (await get('/dashboard/api/health', TOKENS.alice)).json()) as {
    pipelines: { pipeline: string; status: string; durationMs: number; error?: string; recent: string[] }[];
    freshness: { source: string; newestWindow?: string; lagSeconds?: number }[];
    quarantine: { source: string; files: number; bytes: number; records: number; latestDt: string; reasons: Record<string, number> }[];
    alerts: { kind: string }[];
    anomalies: { source: string; flagged: unknown[] }[];
  };
  const last = lake.days.at(-1)!;
  assert.deepEqual(h.pipelines.map((p) => [p.pipeline, p.status, p.recent.length]), [['amplitude-daily', 'failed', lake.days.length], ['github-daily', 'succeeded', lake.days.length]]);
  assert.equal(h.pipelines[0]!.error, 'export answered HTTP 504');
  assert.deepEqual(h.freshness.map((f) => [f.source, f.newestWindow]), [['amplitude', `${last}T00..${last}T23`], ['github', `gharchive-${last}T23`]]);
  const expectedLag = Math.round((Date.now() - Date.parse(`${last}T00:00:00Z`) - 86_400_000) / 1000);
  assert.ok(Math.abs(h.freshness[1]!.lagSeconds! - expectedLag) < 120);
  assert.deepEqual(h.quarantine, [{ source: 'github', files: 1, bytes: h.quarantine[0]!.bytes, records: 3, latestDt: last, reasons: { 'truncated last line': 1, 'missing created_at': 2 } }]);
  assert.deepEqual(h.alerts.map((a) => a.kind), ['failure']);
  assert.equal(h.anomalies[0]!.flagged.length, 1);
});

test('dashboard panels: the rollup variants (repo_daily, user_daily) answer exactly like fact_events', async () => {
  const { registerGithubGoldViews } = await import('../../src/models/github/views.ts');
  const { PANELS, parsePanelParams, NO_ROLLUPS } = await import('../../src/serve/dashboard/panels.ts');
  const e = await DuckDbEngine.open();
  try {
    await registerGithubGoldViews(e, join(lake.gold, 'github'));
    const cases = [{}, { from: lake.days[1], to: lake.days[1] }, { repos: 'bob/tool,alice/app,org3/project-10', limit: '3' }, { limit: '1' }];
    let compared = 0;
    for (const panel of PANELS.filter((p) => p.domain === 'github' && p.name !== 'github_bounds')) {
      for (const c of cases) {
        const p = parsePanelParams(c);
        const viaFacts = await e.all(panel.sql(p, NO_ROLLUPS));
        const viaRollups = await e.all(panel.sql(p, { repoDaily: true, userDaily: true }));
        assert.ok(viaFacts.length > 0, `${panel.name} ${JSON.stringify(c)} has rows`);
        assert.deepEqual(viaRollups, viaFacts, `${panel.name} ${JSON.stringify(c)}`);
        compared++;
      }
    }
    assert.equal(compared, 5 * cases.length);
  } finally {
    await e.close();
  }
});

// Last: it changes the gold of the shared sample lake.
test('dashboard cache: a repeated panel is served from memory (and audited); a gold rebuild invalidates it', async () => {
  const url = '/dashboard/api/panels/event_type_trends';
  type R = { cached: boolean; rows: { day: string; events: number }[] };
  const first = (await (await get(url, TOKENS.admin)).json()) as R;
  const again = (await (await get(url, TOKENS.admin)).json()) as R;
  assert.equal(again.cached, true);
  assert.deepEqual(again.rows, first.rows);
  // The same parameters for another principal are not the admin's cached rows.
  const alice = (await (await get(url, TOKENS.alice)).json()) as R;
  assert.notDeepEqual(alice.rows, first.rows);
  const audit = new AuditLog(lake.ctx.storage, lake.ctx.layout);
  let cachedEntries = 0;
  for await (const { entry } of audit.entries()) if (entry?.actor === 'admin' && entry.detail?.cached === true && entry.detail?.named === 'dashboard:event_type_trends') cachedEntries++;
  assert.ok(cachedEntries >= 1);
  // A new day lands in gold: the next request sees it.
  const next = '2026-12-01';
  const e = await DuckDbEngine.open();
  try {
    const src = join(lake.gold, 'github', 'fact_events', `dt=${lake.days[0]}`, 'part-0.parquet');
    await mkdir(join(lake.gold, 'github', 'fact_events', `dt=${next}`), { recursive: true });
    await e.run(`COPY (SELECT DATE '${next}' AS dt, repo_id, user_id, event_type, event_count FROM read_parquet(${sqlString(src)})) TO ${sqlString(join(lake.gold, 'github', 'fact_events', `dt=${next}`, 'part-0.parquet'))} (FORMAT PARQUET)`);
  } finally {
    await e.close();
  }
  const after = (await (await get(url, TOKENS.admin)).json()) as R;
  assert.equal(after.cached, false);
  assert.ok(after.rows.some((r) => r.day === next));
});
