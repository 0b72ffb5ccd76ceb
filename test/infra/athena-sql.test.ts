// The SQL the Step Functions Athena steps run (infra/sql/*.sql), parsed with a real SQL parser (Trino dialect,
// which Athena engine v3 is) and checked against the Glue table definitions the Catalog stack creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pkg from 'node-sql-parser';
import { readSql } from '../../infra/lib/pipeline-stack.ts';
import { tableDef } from '../../infra/lib/catalog-tables.ts';

const { Parser } = pkg as unknown as { Parser: new () => { astify(sql: string, o: object): any; tableList(sql: string, o: object): string[] } };
const opt = { database: 'trino' };

for (const [file, target, source] of [
  ['transform-github-events.sql', 'github_events', 'raw_github_events'],
  ['aggregate-fact-events.sql', 'fact_events', 'github_events'],
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
