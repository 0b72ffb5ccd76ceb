// The layer commands through the real CLI (spawned): query output formats, transform/quality exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTransform } from '../../src/layers/transform.ts';
import { runAggregate } from '../../src/layers/aggregate.ts';
import { ampEvent, ndjson, putRaw, withLake } from './helpers.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function cli(lake: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), '--lake', lake, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent', EVENTLAKE_CONFIG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('eventlake query: table, json and csv formats over the registered lake views', () =>
  withLake(async (ctx) => {
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson(Array.from({ length: 6 }, (_, i) => ampEvent(i))));
    await runTransform(ctx, {});
    await runAggregate(ctx, {});
    const lake = ctx.loaded.lakeRoot;
    const sql = `SELECT event_type, count(*)::INT AS n FROM amplitude_events GROUP BY 1 ORDER BY 1`;

    const json = cli(lake, 'query', sql, '--format', 'json');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [
      { event_type: 'click', n: 3 },
      { event_type: 'page_view', n: 3 },
    ]);
    const csv = cli(lake, 'query', sql, '--format', 'csv');
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout, 'event_type,n\nclick,3\npage_view,3\n');
    const table = cli(lake, 'query', `SELECT active_users, dt FROM amplitude_daily_active_users`);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^active_users\s+\| dt/);
    assert.match(lines[2]!, /^\d+\s+\| 2022-11-14/);
    assert.equal(lines[3], '(1 row)');

    const bad = cli(lake, 'query', 'SELECT * FROM no_such_table');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error \[query\].*no_such_table/);
  }));

test('eventlake query --as an unknown principal fails clearly and names the command to list principals', () =>
  withLake(async (ctx) => {
    const r = cli(ctx.loaded.lakeRoot, 'query', 'SELECT 1', '--as', 'alice');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error \[governance\].*unknown principal "alice"/);
    assert.match(r.stderr, /next: eventlake principals/);
  }));

test('eventlake transform exits 5 on a failed quality check; eventlake quality reruns checks (0 when clean)', () =>
  withLake(async (ctx) => {
    const lake = ctx.loaded.lakeRoot;
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson([ampEvent(1), ampEvent(2)]));
    const ok = cli(lake, 'transform', '--source', 'amplitude', '--from', '2022-11-14', '--to', '2022-11-14');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /amplitude dt=2022-11-14: 2 in, 2 events, 0 quarantined, 0 duplicates .* promoted/);
    const q = cli(lake, 'quality', '--source', 'amplitude');
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stdout, /amplitude: 1 partitions checked, all passed/);

    await putRaw(ctx, 'amplitude', '2022-11-14', 11, 'b.json.gz', 'x\ny\nz\n');
    const failed = cli(lake, 'transform', '--source', 'amplitude');
    assert.equal(failed.code, 5, failed.stderr);
    assert.match(failed.stderr, /error \[quality\] QUALITY: .*quarantine_ratio: 3 of 5 records quarantined/);
    assert.match(failed.stderr, /next: inspect quarantine\/amplitude\/dt=2022-11-14\//);

  }));
