// End to end in Debian chromium: `startServe` with the dashboard plugin on a sample lake, the page signed in as an
// admin and as a repo owner. What the charts show is compared with DuckDB queries on the same gold Parquet files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { startServe, type RunningServer } from '../../src/serve/server.ts';
import { createDashboardPlugin } from '../../src/serve/plugins/dashboard.ts';
import { ensureWebBuilt } from '../../src/serve/dashboard/web-assets.ts';
import { sampleLake, setTokenEnv, TOKENS, type SampleLake } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
// Page-side callbacks run in the browser; the test project is typed without the DOM library, hence `globalThis as any`.
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let lake: SampleLake;
let server: RunningServer;
let db: DuckDbEngine;
let browser: BrowserContext;
let profile: string;

before(async () => {
  setTokenEnv();
  lake = await sampleLake();
  await ensureWebBuilt(); // a cold Vite build can take longer than a page load timeout
  server = await startServe(lake.ctx, { port: 0, pluginInstances: [createDashboardPlugin()] });
  db = await DuckDbEngine.open();
  profile = await mkdtemp(join(tmpdir(), 'el-dash-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1500, height: 1800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await db?.close();
  await lake?.cleanup();
  if (profile) await rm(profile, { recursive: true, force: true });
});

const fact = () => `read_parquet(${sqlString(join(lake.gold, 'github', 'fact_events', 'dt=*', '*.parquet'))}, hive_partitioning = false)`;
const dimRepo = () => `read_parquet(${sqlString(join(lake.gold, 'github', 'dim_repo', '*.parquet'))})`;

async function duck<T>(sql: string): Promise<T[]> {
  return db.all<T & Record<string, unknown>>(sql) as Promise<T[]>;
}

/** Waits until no panel is loading any more. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as any).document.body.dataset.loading === 'false' && !(globalThis as any).document.querySelector('.card[data-state="loading"]'), undefined, { timeout: 30_000 });
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${server.url}/dashboard/`);
  await page.fill('#token', token);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
  await settled(page);
}

interface SeriesView {
  x: string[];
  series: { name: string; data: number[] }[];
}

/** What an ECharts instance on the page currently draws: category axis values and series data. */
async function chartView(page: Page, panel: string): Promise<SeriesView> {
  return page.evaluate((name) => {
    const c = (globalThis as unknown as { __dashboard: { charts: Record<string, { getOption(): Record<string, unknown> }> } }).__dashboard.charts[name]!;
    const o = c.getOption() as { xAxis: { data?: string[]; type: string }[]; yAxis: { data?: string[]; type: string }[]; series: { name: string; data: (number | null)[] }[] };
    const cat = o.xAxis[0]!.type === 'category' ? o.xAxis[0]!.data : o.yAxis[0]!.data;
    return { x: (cat ?? []).map(String), series: o.series.map((s) => ({ name: s.name, data: s.data.map((v) => Number(v ?? 0)) })) };
  }, panel);
}

test('dashboard e2e: the admin sees charts whose numbers match DuckDB on the gold files; filters change them', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await signIn(page, TOKENS.admin);
    assert.equal(await page.textContent('#principal'), 'admin');
    const first = lake.days[0]!;
    const last = lake.days.at(-1)!;
    assert.equal(await page.inputValue('#from'), first);
    assert.equal(await page.inputValue('#to'), last);

    // Top repositories by stars: bars (labels and values) = WatchEvent sums per repo over all days.
    const stars = await chartView(page, 'top_repos_by_stars');
    const expStars = await duck<{ repo_name: string; stars: bigint | number }>(
      `SELECT r.repo_name, sum(f.event_count) AS stars FROM ${fact()} f JOIN ${dimRepo()} r USING (repo_id) WHERE f.event_type = 'WatchEvent' GROUP BY r.repo_id, r.repo_name ORDER BY stars DESC, r.repo_id LIMIT 10`,
    );
    assert.deepEqual(stars.x, expStars.map((r) => r.repo_name));
    assert.deepEqual(stars.series[0]!.data, expStars.map((r) => Number(r.stars)));
    assert.ok(stars.series[0]!.data[0]! > 0);

    // Event type trends: one stacked series per type, one bar per day.
    const trends = await chartView(page, 'event_type_trends');
    const expTrends = await duck<{ day: string; event_type: string; n: bigint }>(`SELECT CAST(dt AS VARCHAR) AS day, event_type, sum(event_count) AS n FROM ${fact()} GROUP BY ALL`);
    assert.deepEqual(trends.x, lake.days);
    assert.equal(trends.series.length, new Set(expTrends.map((r) => r.event_type)).size);
    for (const r of expTrends) {
      const s = trends.series.find((x) => x.name === r.event_type)!;
      assert.equal(s.data[trends.x.indexOf(r.day)], Number(r.n), `${r.event_type} on ${r.day}`);
    }

    // Most active users: the table beside the chart holds the same ranking as DuckDB.
    const users = await chartView(page, 'most_active_users');
    const expUsers = await duck<{ login: string; n: bigint }>(
      `SELECT u.login, sum(f.event_count) AS n FROM ${fact()} f JOIN read_parquet(${sqlString(join(lake.gold, 'github', 'dim_user', '*.parquet'))}) u USING (user_id) GROUP BY u.user_id, u.login ORDER BY n DESC, u.user_id LIMIT 10`,
    );
    assert.deepEqual(users.x, expUsers.map((r) => r.login));
    const cells = await page.$$eval('#panel-most_active_users td[data-col="login"]', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells, expUsers.map((r) => r.login));

    // Events by repo: by default the 10 most active repos; picking two repos and one day narrows the chart to them.
    const byRepo = await chartView(page, 'events_by_repo');
    assert.equal(byRepo.series.length, 10);
    await page.fill('#from', last);
    await page.fill('#to', last);
    await page.dispatchEvent('#to', 'change');
    await page.waitForFunction((range) => (globalThis as any).document.querySelector('#repos').dataset.range === range, `${last}..${last}`);
    await page.selectOption('#repos', ['bob/tool', 'alice/lib']);
    await page.click('#apply');
    await settled(page);
    const picked = await chartView(page, 'events_by_repo');
    assert.deepEqual(picked.x, [last]);
    const expPicked = await duck<{ repo_name: string; n: bigint }>(
      `SELECT r.repo_name, sum(f.event_count) AS n FROM ${fact()} f JOIN ${dimRepo()} r USING (repo_id) WHERE f.dt = DATE '${last}' AND r.repo_name IN ('bob/tool', 'alice/lib') GROUP BY ALL ORDER BY n DESC`,
    );
    assert.deepEqual(picked.series.map((s) => s.name), expPicked.map((r) => r.repo_name));
    assert.deepEqual(picked.series.map((s) => s.data[0]), expPicked.map((r) => Number(r.n)));
    const trendsOneDay = await chartView(page, 'event_type_trends');
    assert.deepEqual(trendsOneDay.x, [last]);
    assert.notDeepEqual(trendsOneDay, trends);

    // CSV export of a panel = the rows of its table.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#panel-events_by_repo button.csv')]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r\n/);
    assert.equal(lines[0], 'day,repo_id,repo_name,events');
    assert.equal(lines.length - 1, expPicked.length);
    assert.ok(lines.some((l) => l.endsWith(`,bob/tool,${expPicked.find((r) => r.repo_name === 'bob/tool')!.n}`)), csv);

    // Amplitude: daily active users and the breakdown switch.
    const dau = await chartView(page, 'amplitude_dau');
    const expDau = await duck<{ n: bigint }>(`SELECT active_users AS n FROM read_parquet(${sqlString(join(lake.gold, 'amplitude', 'daily_active_users', '*', '*.parquet'))}) WHERE event_date = DATE '${last}'`);
    assert.deepEqual(dau.series.find((s) => s.name === 'active users')!.data, [Number(expDau[0]!.n)]);
    await page.selectOption('#amplitude-by', 'platform');
    await page.waitForFunction(() => {
      const c = (globalThis as unknown as { __dashboard: { charts: Record<string, { getOption(): { series: { name: string }[] } }> } }).__dashboard.charts.amplitude_daily_events!;
      return c.getOption().series.some((s) => s.name === 'iOS');
    });
    const platforms = await chartView(page, 'amplitude_daily_events');
    assert.deepEqual(platforms.series.map((s) => s.name).sort(), ['Android', 'Web', 'iOS']);

    // Pipeline health: last run per pipeline (the failed one with its error), quarantine counts, alert, anomaly.
    const runRows = await page.$$eval('#panel-runs tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(runRows.map((r) => [r[0], r[2]]), [['amplitude-daily', 'failed'], ['github-daily', 'succeeded']]);
    assert.match(runRows[0]![6]!, /transform: export answered HTTP 504/);
    const quarantine = await page.$$eval('#quarantine-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(quarantine.map((r) => [r[0], r[1]]), [['github', '3']]);
    assert.match(quarantine[0]![4]!, /missing created_at \(2\)/);
    assert.match((await page.textContent('#panel-alerts'))!, /pipeline amplitude-daily .* failed/);
    assert.match((await page.textContent('#anomaly-table'))!, /WatchEvent.*drop/);

    const fresh = await page.$$eval('#panel-freshness .table > table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.deepEqual(fresh.map((r) => [r[0], r[1]]), [['amplitude', `${last}T00..${last}T23`], ['github', `gharchive-${last}T23`]]);

    await page.waitForTimeout(500); // let the chart animations (300 ms) finish before the screenshot
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-admin.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('dashboard e2e: a repo owner sees only their repositories, and no Amplitude panels', async () => {
  const page = await browser.newPage();
  try {
    await signIn(page, TOKENS.alice);
    assert.equal(await page.textContent('#principal'), 'alice');
    const byRepo = await chartView(page, 'events_by_repo');
    const aliceRepos = await duck<{ repo_name: string }>(
      `SELECT DISTINCT r.repo_name FROM ${fact()} f JOIN ${dimRepo()} r USING (repo_id) WHERE r.owner_login = 'alice' ORDER BY 1`,
    );
    const allRepos = await duck<{ n: bigint }>(`SELECT count(DISTINCT repo_id) AS n FROM ${fact()} WHERE repo_id <> 0`);
    assert.ok(Number(allRepos[0]!.n) > aliceRepos.length);
    assert.deepEqual(byRepo.series.map((s) => s.name).sort(), aliceRepos.map((r) => r.repo_name));
    const options = await page.$$eval('#repos option', (os) => os.map((o) => (o as unknown as { value: string }).value));
    assert.deepEqual(options.sort(), aliceRepos.map((r) => r.repo_name));

    // Her event type totals are those of her repos only.
    const trends = await chartView(page, 'event_type_trends');
    const exp = await duck<{ n: bigint }>(`SELECT sum(f.event_count) AS n FROM ${fact()} f JOIN ${dimRepo()} r USING (repo_id) WHERE r.owner_login = 'alice'`);
    const shown = trends.series.reduce((a, s) => a + s.data.reduce((x, y) => x + y, 0), 0);
    assert.equal(shown, Number(exp[0]!.n));

    for (const p of ['amplitude_daily_events', 'amplitude_dau']) {
      assert.equal(await page.getAttribute(`#panel-${p}`, 'data-state'), 'denied');
      assert.match((await page.textContent(`#panel-${p} .error`))!, /Not available to you/);
    }
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alice.png'), fullPage: true });
    assert.ok(existsSync(join(ARTIFACTS, 'dashboard-alice.png')));

    // A wrong token gets no data at all.
    await page.click('#signout');
    await page.fill('#token', 'not-a-token');
    await page.click('#signin button[type=submit]');
    await page.waitForFunction(() => /not valid/.test((globalThis as any).document.querySelector('#message')?.textContent ?? ''));
    assert.equal(await page.isHidden('#app'), true);
  } finally {
    await page.close();
  }
});
