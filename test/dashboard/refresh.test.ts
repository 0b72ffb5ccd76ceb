// Gold that appears while `eventlake serve` runs (first Amplitude build, a new GitHub rollup) shows up on the
// dashboard without a restart: the governed views are re-opened when the domain's table set changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { startServe } from '../../src/serve/server.ts';
import { createDashboardPlugin } from '../../src/serve/plugins/dashboard.ts';
import { sampleLake, setTokenEnv, TOKENS } from './fixture.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';

test('dashboard: a gold table built after start is served without a restart', async () => {
  setTokenEnv();
  const lake = await sampleLake({ days: 1, repos: 20, users: 20, rowsPerDay: 200 });
  const amp = join(lake.gold, 'amplitude');
  await rename(amp, `${amp}.later`);
  const server = await startServe(lake.ctx, { port: 0, pluginInstances: [createDashboardPlugin({ distDir: lake.dir, build: false, goldRelistMs: 0 })] });
  try {
    const dau = () => fetch(`${server.url}/dashboard/api/panels/amplitude_dau`, { headers: { authorization: `Bearer ${TOKENS.admin}` } });
    const before = await dau();
    assert.equal(before.status, 403);
    assert.match(((await before.json()) as { error: string }).error, /daily_active_users/);
    await rename(`${amp}.later`, amp);
    const after = await dau();
    assert.equal(after.status, 200);
    const rows = ((await after.json()) as { rows: { day: string }[] }).rows;
    assert.deepEqual(rows.map((r) => r.day), lake.days);
  } finally {
    await server.close();
    await lake.cleanup();
  }
});

test('dashboard: the first view of every principal with a token is pre-computed at start (audited as prewarm)', async () => {
  setTokenEnv();
  const lake = await sampleLake({ days: 2, repos: 20, users: 20, rowsPerDay: 300 });
  const server = await startServe(lake.ctx, { port: 0, pluginInstances: [createDashboardPlugin({ distDir: lake.dir, build: false })] });
  try {
    const audit = new AuditLog(lake.ctx.storage, lake.ctx.layout);
    const warmed = async () => {
      const seen = new Set<string>();
      for await (const { entry } of audit.entries()) if (entry?.detail?.via === 'dashboard-prewarm' && entry.detail.named === 'dashboard:amplitude_dau') seen.add(entry.actor);
      return seen;
    };
    // admin and the analyst see amplitude_dau (the last panel warmed per principal); alice's attempt is refused.
    for (let seen = await warmed(); !(seen.has('admin') && seen.has('analyst')); seen = await warmed()) await new Promise((r) => setTimeout(r, 100));
    const { from, to } = { from: lake.days[0]!, to: lake.days.at(-1)! };
    for (const [who, panel, q] of [
      ['admin', 'events_by_repo', `from=${from}&to=${to}&limit=10`],
      ['alice', 'top_repos_by_stars', `from=${from}&to=${to}&limit=10`],
      ['analyst', 'amplitude_daily_events', `from=${from}&to=${to}&by=event_type`],
    ] as const) {
      const r = (await (await fetch(`${server.url}/dashboard/api/panels/${panel}?${q}`, { headers: { authorization: `Bearer ${TOKENS[who]}` } })).json()) as { cached: boolean; rows: unknown[] };
      assert.equal(r.cached, true, `${who} ${panel}`);
      assert.ok(r.rows.length > 0);
    }
  } finally {
    await server.close();
    await lake.cleanup();
  }
});
