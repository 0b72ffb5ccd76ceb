// The main job (`eventlake demo`) end to end on the bundled samples, checked against counts computed here
// independently from the sample files, and rerun to prove a rerun replaces instead of duplicating.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/demo/run-demo.ts';
import { buildContext } from '../../src/cli/context.ts';
import { governedQuery } from '../../src/governance/index.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';

const repo = new URL('../..', import.meta.url).pathname;

function sampleLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json.gz'))
    .sort()
    .flatMap((f) => gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n').filter((l) => l.trim() !== ''));
}

function expected(dir: string, key: (o: Record<string, unknown>) => string) {
  const lines = sampleLines(dir);
  const keys = new Set<string>();
  let bad = 0;
  for (const l of lines) {
    try {
      keys.add(key(JSON.parse(l) as Record<string, unknown>));
    } catch {
      bad++;
    }
  }
  return { lines: lines.length, unique: keys.size, bad, duplicates: lines.length - bad - keys.size };
}

test('demo: extract → transform → aggregate → warehouse → reports on the samples, rerun replaces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-demo-'));
  const lake = join(dir, 'lake');
  try {
    const amp = expected(join(repo, 'samples/amplitude'), (o) => String(o.uuid));
    const gh = expected(join(repo, 'samples/github/gharchive'), (o) => String(o.id));
    assert.ok(amp.bad >= 1 && amp.duplicates >= 1 && gh.bad >= 1 && gh.duplicates >= 1, 'the samples exercise quarantine and dedup');

    let out = '';
    const first = await runDemo({ lake, write: (s) => (out += s) });
    const a = first.cleaned.find((c) => c.source === 'amplitude')!;
    const g = first.cleaned.find((c) => c.source === 'github')!;
    assert.deepEqual([a.rows, a.quarantined, a.duplicates], [amp.unique, amp.bad, amp.duplicates]);
    assert.deepEqual([g.rows, g.quarantined, g.duplicates], [gh.unique, gh.bad, gh.duplicates]);
    assert.equal(first.amplitude.events, amp.lines);
    assert.equal(first.warehouse.rowsLoaded, amp.lines - amp.bad, 'amplitude_raw holds every parseable line (dedup is downstream, as in Snowflake)');
    assert.match(out, /report top_repos_by_stars/);

    // Gold agrees with the cleaned layer: every cleaned GitHub event is counted once in fact_events.
    const engine = await DuckDbEngine.open();
    try {
      const [f] = await engine.all<{ n: number }>(`SELECT sum(event_count)::BIGINT AS n FROM read_parquet(${sqlString(join(lake, 'aggregated/github/fact_events/*/*.parquet'))})`);
      assert.equal(Number(f!.n), gh.unique);
      const [s] = await engine.all<{ n: number }>(
        `SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(join(lake, 'cleaned/github/events/*/*.parquet'))}) WHERE type = 'WatchEvent'`,
      );
      const stars = first.reports.top_repos_by_stars!.reduce((n, r) => n + Number(r.stars), 0);
      assert.ok(stars > 0 && stars <= Number(s!.n));
    } finally {
      await engine.close();
    }

    // The serve config the demo writes: the restricted principal sees only its owner's repositories.
    const ctx = await buildContext({ config: first.serveConfig });
    const owned = await governedQuery(ctx, 'owner', 'SELECT DISTINCT r.repo_name FROM fact_events f JOIN dim_repo r USING (repo_id)');
    const names = owned.rows.map((r) => String(r.repo_name));
    assert.ok(names.length > 0 && names.every((n) => n.startsWith(`${first.demoOwner}/`)), names.join(','));
    const all = await governedQuery(ctx, 'admin', 'SELECT count(DISTINCT repo_id) AS n FROM fact_events');
    assert.ok(Number(all.rows[0]!.n) > names.length);

    const second = await runDemo({ lake, write: () => undefined });
    assert.deepEqual(second.cleaned, first.cleaned);
    assert.deepEqual(second.gold, first.gold);
    assert.equal(second.warehouse.rowsLoaded, first.warehouse.rowsLoaded);
    const wh = await DuckDbEngine.open({ path: second.warehouse.target });
    try {
      const [r] = await wh.all<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${second.warehouse.table}`);
      assert.equal(Number(r!.n), amp.lines - amp.bad, 'a rerun replaces the loaded files, never duplicates');
    } finally {
      await wh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
