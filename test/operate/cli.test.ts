import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { LocalStorage } from '../../src/storage/local/local-storage.ts';
import { LakeLayout } from '../../src/lake/layout.ts';
import { MetaStore } from '../../src/lake/meta-store.ts';
import { log } from '../../src/core/log.ts';
import { writeGold, governanceConfig } from './gold-fixture.ts';
import { runCliInProcess } from '../cli/in-process.ts';

// Commands run in-process through the real program; test/operate/command-task.test.ts covers the real binary.
const cli = (cwd: string, args: string[]) => runCliInProcess(['--config', join(cwd, 'eventlake.config.yaml'), ...args]);

test('cli: run, runs, backfill, lifecycle, audit verify (with tamper) and principals through the real program', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'el-operate-cli-'));
  try {
    const config = {
      lake: { root: './lake' },
      operate: {
        pipelines: [
          { name: 'housekeeping', steps: [{ id: 'archive', kind: 'lifecycle', params: { days: 30 } }] },
          { name: 'broken', steps: [{ id: 'archive', kind: 'lifecycle', params: { days: 30 } }, { id: 'check', kind: 'anomalies', dependsOn: ['archive'], params: { source: 'github', alert: false } }] },
        ],
        governance: governanceConfig,
      },
    };
    await writeFile(join(dir, 'eventlake.config.yaml'), stringify(config));
    const lakeDir = join(dir, 'lake');
    const storage = new LocalStorage({ root: lakeDir });
    await storage.put('raw/github/dt=2026-01-10/hour=00/a.json.gz', 'x');
    await storage.put('cleaned/github/events/dt=2026-01-10/p.parquet', 'x');
    await storage.put('python-import/github/dt=2026-01-10/a.json.gz', 'x');

    const dry = await cli(dir, ['lifecycle', '--dry-run', '--days', '30']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /raw\/github\/dt=2026-01-10\/hour=00\/a\.json\.gz -> archive\/raw\/github/);
    assert.match(dry.stdout, /dry-run: 1 objects/);

    const run = await cli(dir, ['run', 'housekeeping', '--window', '2026-03-01']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /SUCCEEDED housekeeping 2026-03-01/);
    assert.ok(await storage.head('archive/raw/github/dt=2026-01-10/hour=00/a.json.gz'));
    assert.ok(await storage.head('python-import/github/dt=2026-01-10/a.json.gz'));

    // anomalies over a lake without a dim_date-style gold: the gold is malformed on purpose (not Parquet) -> step fails.
    await storage.put('aggregated/github/fact_events/dt=2026-01-01/bad.parquet', 'not parquet');
    const failed = await cli(dir, ['run', 'broken', '--window', '2026-03-01']);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /FAILED +broken 2026-03-01/);
    assert.match(failed.stderr, /next: eventlake run broken --window 2026-03-01/);

    const runs = await cli(dir, ['runs', '--limit', '5']);
    assert.equal(runs.code, 0);
    assert.match(runs.stdout, /FAILED +broken 2026-03-01[\s\S]*error at check:[\s\S]*next: eventlake run broken --window 2026-03-01/);
    assert.match(runs.stdout, /SUCCEEDED housekeeping 2026-03-01/);

    const bf = await cli(dir, ['backfill', 'housekeeping', '--from', '2026-02-27', '--to', '2026-03-01']);
    assert.equal(bf.code, 0, bf.stderr);
    assert.match(bf.stdout, /3 windows, 2 succeeded, 1 already done, 0 failed/);

    const ok = await cli(dir, ['audit', 'verify']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit trail ok: 4 entries/);
    const tail = await cli(dir, ['audit', 'tail', '--json']);
    assert.deepEqual(tail.stdout.trim().split('\n').map((l) => `${JSON.parse(l).action}:${JSON.parse(l).outcome}`), ['lifecycle.archive:ok', 'pipeline.run:ok', 'pipeline.run:error', 'pipeline.backfill:ok']);
    await storage.put('_eventlake/audit/000000000001.json', (await storage.get('_eventlake/audit/000000000001.json')).toString().replace('"ok"', '"refused"'));
    const bad = await cli(dir, ['audit', 'verify']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /audit trail is broken at entry 1 .*edited/);

    await mkdir(lakeDir, { recursive: true });
    const loaded = loadConfig({ cwd: dir, env: {}, dotenv: false });
    const layout = new LakeLayout(loaded.config.lake.prefixes);
    await storage.delete('aggregated/github/fact_events/dt=2026-01-01/bad.parquet');
    await writeGold({ loaded, storage, layout, meta: new MetaStore(storage, layout), log });
    const pr = await cli(dir, ['principals']);
    assert.equal(pr.code, 0, pr.stderr);
    assert.match(pr.stdout, /alice \(owner alice\)  token: env TEST_TOKEN_ALICE/);
    assert.match(pr.stdout, /dim_user +rows: owner-users\(user_id\)  masked: email:null/);
    const ex = await cli(dir, ['principals', '--explain', 'bob']);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /CREATE VIEW governed\."fact_events" AS .* WHERE "repo_id" IN \(SELECT repo_id FROM .* WHERE owner_login = 'bob'\)/);

    const usage = await cli(dir, ['run', 'nope']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /no pipeline named "nope" \(configured: housekeeping, broken\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
