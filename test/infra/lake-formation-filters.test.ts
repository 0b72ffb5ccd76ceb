// Pure tests of the owner → data cells filter generation (no synth).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataCellsFilters, checkFilterLimits, filtersFromExport, MAX_FILTERS_PER_PRINCIPAL_PER_TABLE } from '../../infra/lib/lake-formation-filters.ts';
import { infraSchema } from '../../src/config/sections/infra.ts';

const opts = { tables: ['fact_events', 'github_events'], excludedColumns: ['actor_login', 'login', 'payload'], maxRepoIdsPerFilter: 1000 };
const role = (n: string) => `arn:aws:iam::123456789012:role/${n}`;

test('one filter per owner and table with the owner ids (sorted, deduplicated) and only the PII columns the table has', () => {
  const f = buildDataCellsFilters([{ name: 'acme', principalArn: role('acme'), repoIds: [3, 1, 2, 3] }], opts);
  assert.deepEqual(
    f.map((x) => [x.name, x.table, x.rowFilterExpression, x.excludedColumns]),
    [
      ['acme_fact_events', 'github_fact_events', 'repo_id IN (1, 2, 3)', []],
      ['acme_github_events', 'github_events', 'repo_id IN (1, 2, 3)', ['actor_login', 'payload']],
    ],
  );
  assert.ok(f.every((x) => x.principalArn === role('acme')));
});

test('an owner with more ids than fit one filter gets several, all granted to the same principal', () => {
  const ids = Array.from({ length: 25 }, (_, i) => i + 1);
  const f = buildDataCellsFilters([{ name: 'big', principalArn: role('big'), repoIds: ids }], { ...opts, tables: ['fact_events'], maxRepoIdsPerFilter: 10 });
  assert.deepEqual(f.map((x) => x.name), ['big_fact_events_1', 'big_fact_events_2', 'big_fact_events_3']);
  assert.equal(f[2]!.rowFilterExpression, 'repo_id IN (21, 22, 23, 24, 25)');
  const covered = f.flatMap((x) => x.rowFilterExpression!.replace(/^repo_id IN \(|\)$/g, '').split(', ').map(Number));
  assert.deepEqual(covered, ids);
});

test(`more than ${MAX_FILTERS_PER_PRINCIPAL_PER_TABLE} filters for one principal on one table is rejected at synth`, () => {
  const ids = Array.from({ length: MAX_FILTERS_PER_PRINCIPAL_PER_TABLE + 1 }, (_, i) => i + 1);
  assert.throws(
    () => buildDataCellsFilters([{ name: 'huge', principalArn: role('huge'), repoIds: ids }], { ...opts, tables: ['fact_events'], maxRepoIdsPerFilter: 1 }),
    /would get 101 data cells filters on table fact_events; Lake Formation allows 100/,
  );
  // Exactly 100 is allowed.
  assert.equal(
    buildDataCellsFilters([{ name: 'ok', principalArn: role('ok'), repoIds: ids.slice(0, 100) }], { ...opts, tables: ['fact_events'], maxRepoIdsPerFilter: 1 }).length,
    100,
  );
});

test('the limit counts filters of several owners that share one principal', () => {
  const owners = Array.from({ length: 101 }, (_, i) => ({ name: `o${i}`, principalArn: role('shared'), repoIds: [i + 1] }));
  assert.throws(() => buildDataCellsFilters(owners, { ...opts, tables: ['fact_events'] }), /principal arn:aws:iam::123456789012:role\/shared/);
});

test('tables without repo_id, unknown tables and duplicate owners are config errors', () => {
  const o = [{ name: 'a', principalArn: role('a'), repoIds: [1] }];
  assert.throws(() => buildDataCellsFilters(o, { ...opts, tables: ['dim_user'] }), /dim_user has no repo_id column/);
  assert.throws(() => buildDataCellsFilters(o, { ...opts, tables: ['nope'] }), /unknown catalog table "nope"/);
  assert.throws(() => buildDataCellsFilters([...o, ...o], opts), /duplicate owner name "a"/);
});

test('the config schema only accepts integer repo ids and safe owner names (nothing can be injected into the filter)', () => {
  const parse = (owner: unknown) => infraSchema.safeParse({ lakeFormation: { enabled: true, owners: [owner] } });
  assert.equal(parse({ name: 'acme', principalArn: role('acme'), repoIds: [1] }).success, true);
  assert.equal(parse({ name: 'acme', principalArn: role('acme'), repoIds: ['1) OR (1=1'] }).success, false);
  assert.equal(parse({ name: "x' OR 1=1", principalArn: role('acme'), repoIds: [1] }).success, false);
  assert.equal(parse({ name: 'acme', principalArn: 'not-an-arn', repoIds: [1] }).success, false);
  assert.equal(parse({ name: 'acme', principalArn: role('acme'), repoIds: [] }).success, false);
});

// Shape printed by `eventlake principals --lake-formation <db>` (src/governance/lake-formation.ts).
const exported = [
  {
    principal: 'acme-analyst',
    DatabaseName: 'eventlake',
    TableName: 'fact_events',
    Name: 'eventlake_acme-analyst_fact_events',
    RowFilter: { FilterExpression: 'repo_id IN (1, 2)' },
    ColumnWildcard: { ExcludedColumnNames: ['user_id', 'not_a_column'] },
  },
  { principal: 'auditor', DatabaseName: 'eventlake', TableName: 'dim_repo', Name: 'eventlake_auditor_dim_repo', RowFilter: { AllRowsWildcard: {} }, ColumnWildcard: { ExcludedColumnNames: [] } },
];

test('filters exported by the governance module (bare gold names) become grants on the catalog tables to the mapped IAM principals', () => {
  const f = filtersFromExport(exported, { 'acme-analyst': role('acme'), auditor: role('audit') });
  assert.deepEqual(
    f.map((x) => [x.name, x.table, x.principalArn, x.rowFilterExpression, x.excludedColumns]),
    [
      ['eventlake_acme-analyst_fact_events', 'github_fact_events', role('acme'), 'repo_id IN (1, 2)', ['user_id']],
      ['eventlake_auditor_dim_repo', 'github_dim_repo', role('audit'), undefined, []],
    ],
  );
});

test('an exported filter for an unmapped principal, an unknown table or a bad shape is a clear error', () => {
  assert.throws(() => filtersFromExport(exported, { auditor: role('audit') }, 'f.json'), /f\.json\[0\]: no IAM principal for governance principal "acme-analyst"; add it to infra\.lakeFormation\.principalArns/);
  assert.throws(() => filtersFromExport([{ ...exported[1], TableName: 'nope' }], { auditor: role('a') }), /unknown catalog table "nope"/);
  assert.throws(() => filtersFromExport({}, {}), /expected a JSON array/);
  assert.throws(() => filtersFromExport([{ ...exported[1], RowFilter: {} }], { auditor: role('a') }), /FilterExpression or AllRowsWildcard/);
});

test('limits are checked across owner-generated and exported filters together', () => {
  const mine = buildDataCellsFilters([{ name: 'acme', principalArn: role('acme'), repoIds: [1] }], { ...opts, tables: ['fact_events'] });
  const theirs = filtersFromExport([{ ...exported[0], Name: 'acme_fact_events' }], { 'acme-analyst': role('x') });
  assert.throws(() => checkFilterLimits([...mine, ...theirs]), /duplicate data cells filter acme_fact_events on table github_fact_events/);
  const many = Array.from({ length: 101 }, (_, i) => ({ ...mine[0]!, name: `n${i}` }));
  assert.throws(() => checkFilterLimits(many), /would get 101 data cells filters/);
  assert.doesNotThrow(() => checkFilterLimits(many.slice(0, 100)));
});
