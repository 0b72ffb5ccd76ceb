// `eventlake report` end to end: the CLI over a lake whose gold layer the model built from the fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DT_MODERN, DT_TIMELINE, harness, writeModernRaw, writeTimelineRaw } from './fixtures.ts';
import { runNamedQuery } from '../../../src/models/analytics.ts';
import { registerGithubGoldViews } from '../../../src/models/github/views.ts';
import { formatRows } from '../../../src/cli/commands/report.ts';

const repoRoot = new URL('../../..', import.meta.url).pathname;

function cli(lake: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--lake', lake, 'report', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'silent', EVENTLAKE_CONFIG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('report: json/csv/table output of named queries over the lake gold layer; usage errors exit 2', async () => {
  const h = await harness();
  try {
    await h.clean(DT_TIMELINE, writeTimelineRaw(h.root));
    await h.clean(DT_MODERN, writeModernRaw(h.root));
    await h.aggregate([DT_TIMELINE, DT_MODERN]);
    await registerGithubGoldViews(h.engine, h.aggregatedRoot);
    const expected = await runNamedQuery(h.engine, 'top_repos_by_stars', { from: DT_MODERN, to: DT_MODERN, limit: 2 });

    const json = cli(h.root, 'top_repos_by_stars', '--from', DT_MODERN, '--to', DT_MODERN, '--limit', '2', '--format', 'json');
    assert.equal(json.code, 0, json.err);
    assert.deepEqual(JSON.parse(json.out), expected);
    assert.deepEqual(JSON.parse(json.out).map((r: { repo_name: string; stars: number }) => [r.repo_name, r.stars]), [['new/name', 2], ['acme/widgets', 1]]);

    const csv = cli(h.root, 'events_by_repo_over_time', '--repo', 'old/name', '--repo', 'new/name', '--format', 'csv');
    assert.equal(csv.code, 0, csv.err);
    assert.deepEqual(csv.out.trim().split('\n'), ['day,repo_id,repo_name,events', `${DT_MODERN},2002,new/name,2`, `${DT_MODERN},2003,old/name,1`]);

    // Table and CSV quoting in-process (each CLI spawn costs seconds).
    const lines = formatRows(await runNamedQuery(h.engine, 'most_active_users', { limit: 1 }), 'table').trimEnd().split('\n');
    assert.deepEqual(lines[0]!.split(/\s+/), ['rnk', 'user_id', 'login', 'is_bot', 'events']);
    assert.deepEqual(lines[2]!.trim().split(/\s+/), ['1', '101', 'alice-renamed', 'false', '4']);
    assert.equal(lines.length, 3);
    assert.equal(formatRows([{ a: 'x,"y"', b: null }], 'csv'), 'a,b\n"x,""y""",\n');

    // Usage errors exit 2 and name the problem.
    const bad = cli(h.root, 'event_type_trends', '--limit', '3');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /takes no parameter "limit"/);
  } finally {
    await h.close();
  }
});
