// Golden tests of the GitHub model's cleaned (silver) build, called directly with the DuckDB engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EventlakeError } from '../../../src/core/errors.ts';
import {
  DT_MODERN, DT_TIMELINE, FILE00, expectedQuarantine, harness, hour00Lines, hour01Lines, md5, timelineLines,
  writeModernRaw, writeTimelineRaw,
} from './fixtures.ts';

const FIXTURE_2013 = new URL('../../fixtures/github-events-2013.json.gz', import.meta.url).pathname;
const EXPECTED_2013 = JSON.parse(readFileSync(new URL('../../fixtures/github-events-2013.expected.json', import.meta.url), 'utf8'));

const eventsOf = (h: { cleanedRoot: string }, dt: string) => `read_parquet('${join(h.cleanedRoot, 'events', `dt=${dt}`, '*.parquet')}')`;

test('cleaned: modern + trimmed payloads — exact counts, dedup within and across files, quarantine contents', async () => {
  const h = await harness();
  try {
    const res = await h.clean(DT_MODERN, writeModernRaw(h.root));
    // 14 non-blank lines in hour 00 (one blank line skipped), 8 in hour 01.
    assert.deepEqual({ input: res.inputRecords, rows: res.rows, quarantined: res.quarantined, duplicates: res.duplicates }, {
      input: 22, rows: { events: 10 }, quarantined: 10, duplicates: 2,
    });
    assert.equal(res.inputRecords, res.rows.events! + res.quarantined + res.duplicates);

    const q = res.quarantineLines.map((r) => [r.file, r.line, r.reason]);
    assert.deepEqual(q.sort(), [...expectedQuarantine].sort());
    // The quarantined record is the original line text.
    const trunc = res.quarantineLines.find((r) => r.file === FILE00 && r.line === 15)!;
    assert.equal(trunc.record, hour00Lines[14]);
    const utf = res.quarantineLines.find((r) => r.reason === 'invalid UTF-8')!;
    assert.match(String(utf.record), /"id":"50000000021"/);

    const rows = await h.engine.all(`SELECT id, type, actor_id, actor_login, repo_id, repo_name, org_id, org_login, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
      public, payload_era, source_format, id_synthetic, push_size, push_distinct_size, number, is_star, source_file, source_line, payload
      FROM ${eventsOf(h, DT_MODERN)} ORDER BY id`);
    assert.deepEqual(rows.map((r) => r.id), ['50000000001', '50000000002', '50000000003', '50000000004', '50000000012', '50000000013', '50000000015', '50000000020', '50000000022', '50000000025']);
    // Ids are unique after dedup; the first occurrence (hour 00, line 3) is kept for the cross-file duplicate.
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    assert.deepEqual([byId.get('50000000003')!.source_file, byId.get('50000000003')!.source_line], [FILE00, 3]);
    assert.deepEqual([byId.get('50000000002')!.source_file, byId.get('50000000002')!.source_line], [FILE00, 2]);
    // Payload era: full before 2025-10-07T00:00Z, trimmed after; sizes only where the payload has them.
    const e1 = byId.get('50000000001')!;
    assert.deepEqual([e1.payload_era, e1.push_size, e1.push_distinct_size, e1.created_at, e1.org_id, e1.org_login], ['full', 2, 2, '2025-10-06T23:59:58Z', 9919, 'acme']);
    const e3 = byId.get('50000000003')!;
    assert.deepEqual([e3.payload_era, e3.push_size, e3.type, e3.source_format, e3.id_synthetic], ['trimmed', null, 'PushEvent', 'events_api', false]);
    assert.equal(byId.get('50000000004')!.number, 7);
    // Payload JSON kept raw (same object as the source line).
    assert.deepEqual(JSON.parse(String(e3.payload)), JSON.parse(hour01Lines[0] as string).payload);
    assert.deepEqual(JSON.parse(String(e1.payload)), JSON.parse(hour00Lines[0] as string).payload);
    // Stars: WatchEvents only.
    assert.deepEqual(rows.filter((r) => r.is_star).map((r) => r.id), ['50000000002', '50000000012', '50000000013', '50000000022']);
    // Same repo name, two ids: both kept as they are.
    assert.deepEqual(rows.filter((r) => r.repo_name === 'old/name').map((r) => r.repo_id), [2002, 2003]);

    const schema = await h.engine.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${eventsOf(h, DT_MODERN)}`);
    const types = Object.fromEntries(schema.map((c) => [c.column_name, c.column_type]));
    assert.deepEqual(
      ['id', 'type', 'actor_id', 'actor_login', 'repo_id', 'repo_name', 'org_id', 'org_login', 'created_at', 'public', 'payload', 'payload_era', 'id_synthetic'].map((c) => types[c]),
      ['VARCHAR', 'VARCHAR', 'BIGINT', 'VARCHAR', 'BIGINT', 'VARCHAR', 'BIGINT', 'VARCHAR', 'TIMESTAMP', 'BOOLEAN', 'JSON', 'VARCHAR', 'BOOLEAN'],
    );
  } finally {
    await h.close();
  }
});

test('cleaned: rebuilding the same dt is idempotent (same counts, same rows)', async () => {
  const h = await harness();
  try {
    const files = writeModernRaw(h.root);
    const a = await h.clean(DT_MODERN, files);
    const first = await h.engine.all(`SELECT * EXCLUDE (payload), CAST(payload AS VARCHAR) AS p FROM ${eventsOf(h, DT_MODERN)} ORDER BY id`);
    const b = await h.clean(DT_MODERN, [...files].reverse());
    const second = await h.engine.all(`SELECT * EXCLUDE (payload), CAST(payload AS VARCHAR) AS p FROM ${eventsOf(h, DT_MODERN)} ORDER BY id`);
    assert.deepEqual({ ...b, quarantineLines: b.quarantineLines.length }, { ...a, quarantineLines: a.quarantineLines.length });
    assert.deepEqual(second, first);
    assert.equal(first.length, 10);
  } finally {
    await h.close();
  }
});

test('cleaned: pre-2015 timeline format (actor string, repository, "2012/02/11 10:38:16 -0700", synthetic ids)', async () => {
  const h = await harness();
  try {
    const res = await h.clean(DT_TIMELINE, writeTimelineRaw(h.root));
    assert.deepEqual({ input: res.inputRecords, rows: res.rows, quarantined: res.quarantined, duplicates: res.duplicates }, {
      input: 5, rows: { events: 4 }, quarantined: 0, duplicates: 1,
    });
    const rows = await h.engine.all(`SELECT id, id_synthetic, source_format, type, actor_id, actor_login, repo_id, repo_name, org_login,
      strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, payload_era, is_star, repo_stargazers, source_line
      FROM ${eventsOf(h, DT_TIMELINE)} ORDER BY source_line`);
    assert.deepEqual(rows, [
      { id: `tl-${md5(timelineLines[0]!)}`, id_synthetic: true, source_format: 'timeline', type: 'WatchEvent', actor_id: null, actor_login: 'zed', repo_id: 7001, repo_name: 'rails/rails', org_login: 'rails', created_at: '2012-02-11T17:38:16Z', payload_era: 'full', is_star: true, repo_stargazers: 12000, source_line: 1 },
      { id: `tl-${md5(timelineLines[1]!)}`, id_synthetic: true, source_format: 'timeline', type: 'PushEvent', actor_id: null, actor_login: 'Zed', repo_id: 7002, repo_name: 'zed/dotfiles', org_login: null, created_at: '2012-02-12T00:00:00Z', payload_era: 'full', is_star: false, repo_stargazers: 3, source_line: 2 },
      { id: `tl-${md5(timelineLines[2]!)}`, id_synthetic: true, source_format: 'timeline', type: 'WatchEvent', actor_id: null, actor_login: 'yan', repo_id: 7001, repo_name: 'rails/rails', org_login: 'rails', created_at: '2012-02-11T17:00:00Z', payload_era: 'full', is_star: true, repo_stargazers: 12001, source_line: 3 },
      { id: `tl-${md5(timelineLines[3]!)}`, id_synthetic: true, source_format: 'timeline', type: 'FollowEvent', actor_id: null, actor_login: 'yan', repo_id: null, repo_name: null, org_login: null, created_at: '2012-02-11T17:30:00Z', payload_era: 'full', is_star: false, repo_stargazers: null, source_line: 4 },
    ]);
  } finally {
    await h.close();
  }
});

test('cleaned: the real 2013 GH Archive sample matches its .expected.json', async () => {
  const h = await harness();
  try {
    // The same file landed twice in the dt (e.g. a re-fetched hour): every event is a duplicate the second time.
    const copy = join(h.root, 'again.json.gz');
    copyFileSync(FIXTURE_2013, copy);
    const res = await h.clean('2013-01-10', [FIXTURE_2013, copy]);
    assert.deepEqual({ input: res.inputRecords, rows: res.rows, quarantined: res.quarantined, duplicates: res.duplicates }, {
      input: 2 * EXPECTED_2013.total_events, rows: { events: EXPECTED_2013.distinct_ids }, quarantined: 0, duplicates: EXPECTED_2013.total_events,
    });
    const ev = eventsOf(h, '2013-01-10');
    const perType = await h.engine.all<{ type: string; n: number }>(`SELECT type, count(*) AS n FROM ${ev} GROUP BY type`);
    assert.deepEqual(Object.fromEntries(perType.map((r) => [r.type, r.n])), EXPECTED_2013.count_per_type);
    const perRepo = await h.engine.all<{ k: string; n: number }>(`SELECT repo_name AS k, count(*) AS n FROM ${ev} GROUP BY 1`);
    assert.deepEqual(Object.fromEntries(perRepo.map((r) => [r.k, r.n])), EXPECTED_2013.count_per_repo_name);
    const perActor = await h.engine.all<{ k: string; n: number }>(`SELECT actor_login AS k, count(*) AS n FROM ${ev} GROUP BY 1`);
    assert.deepEqual(Object.fromEntries(perActor.map((r) => [r.k, r.n])), EXPECTED_2013.count_per_actor_login);
    const [agg] = await h.engine.all(`SELECT strftime(min(created_at), '%Y-%m-%dT%H:%M:%SZ') AS lo, strftime(max(created_at), '%Y-%m-%dT%H:%M:%SZ') AS hi,
      count(*) FILTER (WHERE org_id IS NOT NULL) AS with_org, list(id ORDER BY source_line) AS ids, count(DISTINCT payload_era) AS eras FROM ${ev}`);
    assert.deepEqual(agg, { lo: EXPECTED_2013.extra.created_at_min, hi: EXPECTED_2013.extra.created_at_max, with_org: EXPECTED_2013.extra.events_with_org, ids: EXPECTED_2013.extra.ids, eras: 1 });
    // Kept rows come from the first file (sorted path order), in line order.
    const [src] = await h.engine.all(`SELECT count(DISTINCT source_file) AS files, min(source_line) AS lo, max(source_line) AS hi FROM ${ev}`);
    assert.deepEqual(src, { files: 1, lo: 1, hi: 30 });
    // Payloads survive byte-for-byte as JSON values.
    const lines = gunzipSync(readFileSync(FIXTURE_2013)).toString('utf8').split('\n').filter(Boolean);
    const [p] = await h.engine.all(`SELECT CAST(payload AS VARCHAR) AS p FROM ${ev} WHERE source_line = 7`);
    assert.deepEqual(JSON.parse(String(p!.p)), JSON.parse(lines[6]!).payload);
  } finally {
    await h.close();
  }
});

test('cleaned: no raw files gives an empty typed table; a corrupt gzip fails naming the file', async () => {
  const h = await harness();
  try {
    const res = await h.clean('2026-11-01', []);
    assert.deepEqual({ input: res.inputRecords, rows: res.rows, quarantined: res.quarantined, duplicates: res.duplicates }, { input: 0, rows: { events: 0 }, quarantined: 0, duplicates: 0 });
    const cols = await h.engine.all(`DESCRIBE SELECT * FROM ${eventsOf(h, '2026-11-01')}`);
    assert.ok(cols.some((c) => c.column_name === 'payload_era'));

    // The corrupt file is split while DuckDB parses the good one before it: its failure still surfaces as the error.
    const good = join(h.root, 'a-good.json.gz');
    copyFileSync(FIXTURE_2013, good);
    const bad = join(h.root, 'bad.json.gz');
    const full = readFileSync(FIXTURE_2013);
    writeFileSync(bad, full.subarray(0, Math.floor(full.length / 2)));
    await assert.rejects(
      () => h.clean('2026-11-02', [bad, good]),
      (e: unknown) => e instanceof EventlakeError && e.step === 'transform.github' && e.message.includes('bad.json.gz'),
    );
  } finally {
    await h.close();
  }
});
