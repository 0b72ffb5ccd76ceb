// Gold that appears while `eventlake serve` runs (first Amplitude build, a new GitHub rollup) shows up on the
// dashboard without a restart: the governed views are re-opened when the domain's table set changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { startServe } from '../../src/serve/server.ts';
import { createDashboardPlugin } from '../../src/serve/plugins/dashboard.ts';
import { sampleLake, setTokenEnv, TOKENS } from './fixture.ts';

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
