// Dashboard panel latency: each panel's HTTP API (bearer auth, SQL guard, governed per-principal views, audit entry,
// JSON) on a day-sized GitHub gold dataset, p50/p95 over repeated requests, for an admin and for a repo owner (row
// filter on owner), vs the same panel SQL run directly by DuckDB on the same Parquet files (warm, no governance).
// Target: p95 well under 200 ms for both principals.
// Day-sized: ~3.5M generated events grouped into fact_events (one dt), 400k repos, 500k users (a 2024-25 GH Archive
// day has ~3-5M events over a few hundred thousand repos and users). --quick: 1/15 of that.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import type { BenchOptions } from '../run.ts';
import { median, percentile, type BenchRow } from '../lib/measure.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';
import { registerGithubGoldViews } from '../../src/models/github/views.ts';
import { startServe } from '../../src/serve/server.ts';
import { createDashboardPlugin } from '../../src/serve/plugins/dashboard.ts';
import { getPanel, parsePanelParams } from '../../src/serve/dashboard/panels.ts';
import { rollupsFor, GoldTableList } from '../../src/serve/dashboard/rollups.ts';
import { sampleLake, setTokenEnv, TOKENS } from '../../test/dashboard/fixture.ts';

const PANELS = ['events_by_repo', 'most_active_users', 'event_type_trends', 'top_repos_by_stars', 'github_repos', 'amplitude_daily_events', 'amplitude_dau'];
const TARGET_MS = 200;

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const size = opts.quick ? { days: 1, repos: 30_000, users: 35_000, rowsPerDay: 230_000 } : { days: 1, repos: 400_000, users: 500_000, rowsPerDay: 3_500_000 };
  const n = opts.quick ? 8 : 20;
  setTokenEnv();
  const lake = await sampleLake(size);
  const dist = join(opts.workDir, 'dist');
  await mkdir(dist, { recursive: true });
  // Cold: every request runs its governed query (no result cache). Warm: the default server (cache on).
  const server = await startServe(lake.ctx, { port: 0, pluginInstances: [createDashboardPlugin({ distDir: dist, build: false, cache: false })] });
  const warmServer = await startServe(lake.ctx, { port: 0, pluginInstances: [createDashboardPlugin({ distDir: dist, build: false, prewarmEveryMs: 0 })] });
  const raw = await DuckDbEngine.open();
  try {
    await registerGithubGoldViews(raw, join(lake.gold, 'github'));
    for (const t of ['daily_events', 'daily_active_users']) {
      await raw.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet(${sqlString(join(lake.gold, 'amplitude', t, '*', '*.parquet'))}, hive_partitioning = false)`);
    }
    const [facts] = await raw.all<{ n: bigint }>(`SELECT count(*) AS n FROM fact_events`);
    const day = lake.days[0]!;
    const q = `from=${day}&to=${day}`;

    const timeApi = async (panel: string, token: string, base = server.url): Promise<number[]> => {
      const url = `${base}/dashboard/api/panels/${panel}?${q}`;
      const get = async () => {
        const t = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (res.status !== 200 && !(res.status === 403 && panel.startsWith('amplitude'))) throw new Error(`${panel}: HTTP ${res.status}`);
        return performance.now() - t;
      };
      for (let i = 0; i < 2; i++) await get(); // warm: engine open, views, OS cache
      const ms: number[] = [];
      for (let i = 0; i < n; i++) ms.push(await get());
      return ms;
    };
    const timeRaw = async (panel: string): Promise<number[]> => {
      // The same SQL the admin's panel runs (with the rollups), straight on the files: the cost of governance + HTTP.
      const sql = getPanel(panel).sql(parsePanelParams({ from: day, to: day }), rollupsFor(lake.ctx, 'admin', await new GoldTableList(lake.ctx, 'github').get()));
      for (let i = 0; i < 2; i++) await raw.all(sql);
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await raw.all(sql);
        ms.push(performance.now() - t);
      }
      return ms;
    };

    const out: BenchRow[] = [];
    const f = (x: number) => x.toFixed(1);
    for (const panel of PANELS) {
      const admin = await timeApi(panel, TOKENS.admin);
      const owner = panel.startsWith('amplitude') ? undefined : await timeApi(panel, TOKENS.alice);
      const warm = await timeApi(panel, TOKENS.admin, warmServer.url);
      const direct = await timeRaw(panel);
      const p95 = Math.max(percentile(admin, 95), owner ? percentile(owner, 95) : 0);
      out.push({
        row: `dashboard ${panel}`,
        ours:
          `cold API admin p50 ${f(median(admin))} / p95 ${f(percentile(admin, 95))} ms` +
          (owner ? `; repo owner p50 ${f(median(owner))} / p95 ${f(percentile(owner, 95))} ms` : '') +
          `; cached p50 ${f(median(warm))} ms`,
        comparison: `raw DuckDB p50 ${f(median(direct))} / p95 ${f(percentile(direct, 95))} ms`,
        ratio: median(direct) > 0 ? median(admin) / median(direct) : null,
        target: `cold p95 < ${TARGET_MS} ms`,
        pass: p95 < TARGET_MS,
        notes: `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs; fact_events ${Number(facts!.n).toLocaleString('en-US')} rows (1 day), ${size.repos.toLocaleString('en-US')} repos, ${size.users.toLocaleString('en-US')} users; ${n} requests after 2 warm-up`,
      });
    }
    const health: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await (await fetch(`${server.url}/dashboard/api/health`, { headers: { authorization: `Bearer ${TOKENS.admin}` } })).arrayBuffer();
      health.push(performance.now() - t);
    }
    out.push({ row: 'dashboard health', ours: `API p50 ${f(median(health))} / p95 ${f(percentile(health, 95))} ms`, comparison: '-', ratio: null, target: `p95 < ${TARGET_MS} ms`, pass: percentile(health, 95) < TARGET_MS, notes: 'run history, checkpoints, quarantine, alerts, anomalies of the sample lake' });
    return out;
  } finally {
    await raw.close();
    await server.close();
    await warmServer.close();
    await lake.cleanup();
  }
}
