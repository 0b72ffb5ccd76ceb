// The SQL the Step Functions Athena steps run — the hand-written silver transform (infra/sql/*.sql) and the gold
// statements rendered at synth time from the shared model definition — parsed with a real SQL parser (Trino dialect,
// which Athena engine v3 is) and checked against the Glue table definitions the Catalog stack creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pkg from 'node-sql-parser';
import { readSql, pipelineGoldSql } from '../../infra/lib/pipeline-stack.ts';
import { goldSelect, DIM_SOURCE, type DimTable } from '../../src/models/github/gold-sql.ts';
import { tableDef } from '../../infra/lib/catalog-tables.ts';
import { catalogTableName } from '../../src/models/gold-schema.ts';

const { Parser } = pkg as unknown as { Parser: new () => { astify(sql: string, o: object): any; tableList(sql: string, o: object): string[] } };
const opt = { database: 'trino' };

for (const [file, target, source] of [
  ['transform-github-events.sql', 'github_events', 'raw_github_events'],
] as const) {
  test(`${file}: parses, reads ${source}, inserts into ${target} with its columns then partition columns, one parameter`, () => {
    const sql = readSql(file);
    const parser = new Parser();
    const ast = parser.astify(sql, opt);
    const stmt = Array.isArray(ast) ? ast[0] : ast;
    assert.equal(Array.isArray(ast) ? ast.length : 1, 1, 'one statement');
    assert.equal(stmt.type, 'insert');
    assert.deepEqual(parser.tableList(sql, opt).sort(), [`insert::null::${target}`, `select::null::${source}`].sort());
    // INSERT INTO … SELECT maps by position: data columns in table order, partition columns last (dt).
    const def = tableDef(target);
    const names = stmt.values.columns.map((c: any) => c.as ?? c.expr?.column?.expr?.value ?? c.expr?.column);
    assert.deepEqual(names, [...def.columns.map(([n]) => n), ...def.partitions]);
    const code = sql.replace(/--.*$/gm, '');
    assert.equal((code.match(/\?/g) ?? []).length, 1, 'exactly one positional parameter (the dt)');
    assert.match(code, /WHERE (?:.* )?dt = \?/s, 'the parameter restricts the partition read');
  });
}

test('gold statements of the pipeline: the shared model SELECT for each table, parsed as Trino, columns in catalog order, dt bound once for per-dt tables', () => {
  const all = pipelineGoldSql();
  assert.deepEqual(all.map((g) => g.table), ['fact_events', 'repo_daily', 'user_daily', 'dim_repo', 'dim_user', 'dim_date']);
  for (const g of all) {
    const parser = new Parser();
    const ast = parser.astify(g.sql, opt);
    const stmt = Array.isArray(ast) ? ast[0] : ast;
    assert.equal(stmt.type, 'insert', g.table);
    const source = g.perDt ? 'github_events' : DIM_SOURCE[g.table as DimTable];
    // (the parser lists CTE names too; dim_date has bounds and days)
    assert.deepEqual(parser.tableList(g.sql, opt).filter((x) => !/::(bounds|days)$/.test(x)).sort(), [`insert::null::${catalogTableName('github', g.table)}`, `select::null::${g.perDt ? source : catalogTableName('github', source)}`].sort(), g.table);
    const def = tableDef(g.table);
    // INSERT INTO t (cols) names the catalog's columns, partition last; the projection selects the same names.
    assert.deepEqual(stmt.columns.map((c: any) => c.value ?? c), [...def.columns.map(([n]) => n), ...def.partitions], `${g.table}: insert column list`);
    const names = stmt.values.columns.map((c: any) => c.expr?.column?.expr?.value ?? c.expr?.column);
    assert.deepEqual(names, [...def.columns.map(([n]) => n), ...def.partitions], `${g.table}: select list`);
    const src = g.perDt ? '(SELECT * FROM "github_events" WHERE "dt" = ?) AS "events"' : `"${catalogTableName('github', source)}" AS "${source}"`;
    assert.ok(g.sql.includes(goldSelect(g.table, 'trino', src)), `${g.table}: contains the shared model SELECT verbatim`);
    assert.equal((g.sql.match(/\?/g) ?? []).length, g.perDt ? 1 : 0, `${g.table}: positional parameters`);
  }
});
