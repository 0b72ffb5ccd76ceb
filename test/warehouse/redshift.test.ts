// Redshift: the SQL is checked against golden shapes and a real SQL parser; the Data API client runs against a
// local HTTP endpoint on 127.0.0.1 that speaks the Data API's JSON protocol (x-amz-target RedshiftData.*).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import nodeSqlParser from 'node-sql-parser';
import { buildContext } from '../../src/cli/context.ts';
import { loadRedshift, openRedshift, redshiftSetupSql, setupRedshift } from '../../src/warehouse/redshift/load.ts';
import { EventlakeError } from '../../src/core/errors.ts';

interface Stmt { id: string; sqls: string[]; polls: number }
const calls: { target: string; body: Record<string, unknown> }[] = [];
const stmts = new Map<string, Stmt>();
let failPattern: RegExp | undefined;
let server: Server;
let endpoint: string;
let work: string;

before(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-test-secret-key';
  work = mkdtempSync(join(tmpdir(), 'el-rs-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('RedshiftData.', '');
      const b = JSON.parse(body || '{}') as Record<string, unknown>;
      calls.push({ target, body: b });
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(obj));
      };
      if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256')) return send(403, { __type: 'AccessDeniedException', message: 'unsigned' });
      if (target === 'ExecuteStatement' || target === 'BatchExecuteStatement') {
        const id = randomUUID();
        stmts.set(id, { id, sqls: (b.Sqls as string[]) ?? [b.Sql as string], polls: 0 });
        return send(200, { Id: id, CreatedAt: Date.now() / 1000, Database: b.Database, WorkgroupName: b.WorkgroupName });
      }
      if (target === 'DescribeStatement') {
        const s = stmts.get(b.Id as string)!;
        s.polls++;
        const failed = failPattern && s.sqls.some((q) => failPattern!.test(q));
        const status = s.polls < 2 ? 'STARTED' : failed ? 'FAILED' : 'FINISHED';
        return send(200, { Id: s.id, Status: status, Error: failed ? 'ERROR: permission denied for schema gold_ext' : undefined, HasResultSet: /^\s*SELECT/i.test(s.sqls[0]!), QueryString: s.sqls[0] });
      }
      if (target === 'GetStatementResult') {
        // Two pages, to exercise NextToken.
        const first = !b.NextToken;
        return send(200, {
          ColumnMetadata: [{ name: 'n', typeName: 'int8' }],
          Records: first ? [[{ longValue: 42 }]] : [[{ isNull: true }]],
          TotalNumRows: 2,
          NextToken: first ? 'page2' : undefined,
        });
      }
      send(400, { __type: 'ValidationException', message: `unknown target ${target}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

const rsConfig = () => ({ warehouse: { redshift: { region: 'us-east-1', endpoint, workgroupName: 'eventlake', database: 'dev', iamRoleArn: "arn:aws:iam::123456789012:role/eventlake-redshift", glueDatabase: "eventlake_gold" } } });

function gold(lake: string, parts: string[]): void {
  for (const dt of parts) {
    mkdirSync(join(lake, 'aggregated/github/fact_events', `dt=${dt}`), { recursive: true });
    writeFileSync(join(lake, 'aggregated/github/fact_events', `dt=${dt}`, 'part-0.parquet'), `parquet bytes ${dt}`);
  }
  mkdirSync(join(lake, 'aggregated/github/dim_repo'), { recursive: true });
  writeFileSync(join(lake, 'aggregated/github/dim_repo/part-0.parquet'), 'dim');
}

test('redshift: setup SQL has the external schema over Glue with the role, quoted identifiers, dist/sort keys', async () => {
  const ctx = await buildContext({ lake: join(work, 'l0') }, rsConfig());
  const sql = redshiftSetupSql(ctx);
  assert.equal(sql[0], `CREATE EXTERNAL SCHEMA IF NOT EXISTS "gold_ext" FROM DATA CATALOG DATABASE 'eventlake_gold' IAM_ROLE 'arn:aws:iam::123456789012:role/eventlake-redshift'`);
  const fact = sql.find((s) => s.includes('"fact_events"'))!;
  assert.match(fact, /^CREATE TABLE IF NOT EXISTS "gold"\."fact_events" \("dt" DATE NOT NULL, "repo_id" BIGINT NOT NULL/);
  assert.match(fact, /PRIMARY KEY \("dt", "repo_id", "user_id", "event_type"\)\) DISTKEY\("repo_id"\) SORTKEY\("dt"\)$/);
  assert.match(sql.find((s) => s.includes('"dim_user"'))!, /DISTSTYLE ALL$/);
});

test('redshift: load replaces each dt in one batch, skips unchanged partitions, and the DML parses as Redshift SQL', async () => {
  const lake = join(work, 'l1');
  gold(lake, ['2026-11-01', '2026-11-02']);
  const ctx = await buildContext({ lake }, rsConfig());
  const rs = openRedshift(ctx, { pollIntervalMs: 5 });
  try {
    calls.length = 0;
    const s = await loadRedshift(ctx, rs);
    assert.deepEqual(s.loaded.map((l) => `${l.table}:${l.partition}`), ['dim_repo:*', 'fact_events:2026-11-01', 'fact_events:2026-11-02']);
    assert.equal(s.tables.fact_events, 42);
    const batches = calls.filter((c) => c.target === 'BatchExecuteStatement').map((c) => c.body);
    assert.equal(batches.length, 3);
    assert.equal(batches[1]!.WorkgroupName, 'eventlake');
    assert.deepEqual(batches[1]!.Sqls, [
      `DELETE FROM "gold"."fact_events" WHERE "dt" = '2026-11-01'`,
      `INSERT INTO "gold"."fact_events" ("dt", "repo_id", "user_id", "event_type", "event_count") SELECT CAST("dt" AS DATE), "repo_id", "user_id", "event_type", "event_count" FROM "gold_ext"."github_fact_events" WHERE "dt" = '2026-11-01'`,
    ]);
    const parser = new nodeSqlParser.Parser();
    for (const b of batches) for (const q of b.Sqls as string[]) assert.doesNotThrow(() => parser.astify(q, { database: 'Redshift' }), q);

    const again = await loadRedshift(ctx, rs);
    assert.equal(again.loaded.length, 0);
    assert.equal(again.skipped.length, 3);
    // A rewritten partition is reloaded alone.
    await new Promise((r) => setTimeout(r, 10));
    writeFileSync(join(lake, 'aggregated/github/fact_events/dt=2026-11-02/part-0.parquet'), 'rewritten');
    const third = await loadRedshift(ctx, rs);
    assert.deepEqual(third.loaded.map((l) => l.partition), ['2026-11-02']);
  } finally {
    rs.close();
  }
});

test('redshift: a FAILED statement surfaces the server error and is not recorded as loaded', async () => {
  const lake = join(work, 'l2');
  gold(lake, ['2026-11-05']);
  const ctx = await buildContext({ lake }, rsConfig());
  const rs = openRedshift(ctx, { pollIntervalMs: 5 });
  failPattern = /fact_events/;
  try {
    await assert.rejects(() => loadRedshift(ctx, rs), (e: unknown) => e instanceof EventlakeError && /statement failed: ERROR: permission denied/.test(e.message));
    failPattern = undefined;
    const retry = await loadRedshift(ctx, rs);
    assert.deepEqual(retry.loaded.map((l) => l.partition), ['2026-11-05'], 'the failed partition is retried, dim_repo is skipped');
  } finally {
    failPattern = undefined;
    rs.close();
  }
});

test('redshift: setup --apply runs each statement; config errors name the key', async () => {
  const ctx = await buildContext({ lake: join(work, 'l3') }, rsConfig());
  const rs = openRedshift(ctx, { pollIntervalMs: 5 });
  calls.length = 0;
  try {
    assert.equal(await setupRedshift(ctx, rs), 8);
    assert.equal(calls.filter((c) => c.target === 'ExecuteStatement').length, 8);
  } finally {
    rs.close();
  }
  const bare = await buildContext({ lake: join(work, 'l3') }, { warehouse: { redshift: { region: 'us-east-1' } } });
  assert.throws(() => redshiftSetupSql(bare), /warehouse\.redshift\.iamRoleArn is required/);
});

test('redshift: every gold table is read from the Glue table the infra app defines (Amplitude tables are prefixed)', async () => {
  const { GOLD_TABLES } = await import('../../src/warehouse/gold-tables.ts');
  const { replacePartition, replaceTable } = await import('../../src/warehouse/redshift/sql.ts');
  const { CATALOG_TABLES } = await import('../../infra/lib/catalog-tables.ts');
  const catalog = new Set(CATALOG_TABLES.map((t) => t.name));
  const n = { schema: 'gold', externalSchema: 'gold_ext', glueDatabase: 'eventlake_gold', iamRoleArn: 'arn:aws:iam::123456789012:role/r' };
  for (const t of GOLD_TABLES) {
    const sqls = t.partitionColumn ? replacePartition(n, t, '2026-11-01') : replaceTable(n, t);
    const from = /FROM "gold_ext"\."([^"]+)"/.exec(sqls[1]!)?.[1];
    assert.ok(from && catalog.has(from), `${t.domain}.${t.name} reads gold_ext.${from}, not a table of the Glue catalog (${[...catalog].join(', ')})`);
  }
  const daily = GOLD_TABLES.find((t) => t.domain === 'amplitude' && t.name === 'daily_events')!;
  assert.match(replacePartition(n, daily, '2026-11-01')[1]!, /FROM "gold_ext"\."amplitude_daily_events" WHERE "dt" = '2026-11-01'$/);
});
