// The Glue tables the CDK Catalog stack defines (infra/lib/catalog-tables.ts) must be the tables the pipeline really
// writes. The real models run on small fixtures (the 2013 GH Archive sample and Amplitude export events) through the
// normal transform → aggregate layers on a temp lake; the columns DuckDB reads back from the Parquet they produced
// (the same discovery `eventlake athena setup` uses) are compared with every Parquet table of the catalog: location,
// column names, order and Hive types, and the dt partition. A model change that is not reflected in the catalog fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CATALOG_TABLES } from '../../infra/lib/catalog-tables.ts';
import { runTransform } from '../../src/layers/transform.ts';
import { runAggregate } from '../../src/layers/aggregate.ts';
import { discoverLakeTables } from '../../src/engines/athena/lake-tables.ts';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.ts';
import { ampEvent, ndjson, putRaw, withLake } from '../layers/helpers.ts';

const GH_2013 = new URL('../fixtures/github-events-2013.json.gz', import.meta.url).pathname;

test('catalog: every Parquet Glue table matches the columns, types and dt partition of what the real models write', () =>
  withLake(async (ctx, dir) => {
    await putRaw(ctx, 'github', '2013-01-10', 0, '2013-01-10-0.json.gz', gunzipSync(readFileSync(GH_2013)));
    await putRaw(ctx, 'amplitude', '2022-11-14', 10, 'a.json.gz', ndjson(Array.from({ length: 6 }, (_, i) => ampEvent(i))));
    await runTransform(ctx, {});
    await runAggregate(ctx, {});
    const duck = await DuckDbEngine.open();
    let found;
    try {
      found = await discoverLakeTables(ctx.storage, ctx.layout, duck, dir);
    } finally {
      await duck.close();
    }
    const byPrefix = new Map(found.map((t) => [t.prefix, t]));
    const parquet = CATALOG_TABLES.filter((t) => t.format === 'parquet');
    for (const def of parquet) {
      const real = byPrefix.get(`${def.location(ctx.layout.prefixes)}/`);
      assert.ok(real, `${def.name}: the models write nothing under ${def.location(ctx.layout.prefixes)}/ (found: ${[...byPrefix.keys()].join(', ')})`);
      assert.deepEqual(def.columns.map(([n, t]) => `${n} ${t}`), real.columns.map((c) => `${c.name} ${c.type}`), `${def.name}: columns (name type, in file order, dt excluded)`);
      assert.deepEqual(def.partitions, real.partitioned ? ['dt'] : [], `${def.name}: partition keys`);
    }
    // And no table the models write is missing from the catalog.
    const defined = new Set(parquet.map((d) => `${d.location(ctx.layout.prefixes)}/`));
    assert.deepEqual(found.filter((t) => !defined.has(t.prefix)).map((t) => t.prefix), [], 'lake tables without a Glue table in the CDK catalog');
  }));
