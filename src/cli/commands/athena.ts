// `eventlake athena setup --print|--apply` and `eventlake athena ctas …`.
import { readFile } from 'node:fs/promises';
import type { Registrar } from '../program.ts';
import type { Context } from '../context.ts';
import { EventlakeError } from '../../core/errors.ts';
import { datesBetween } from '../../lake/layout.ts';
import { DuckDbEngine } from '../../engines/duckdb/duckdb-engine.ts';
import { AthenaEngine } from '../../engines/athena/athena-engine.ts';
import { createDatabaseStatement, projectionTableStatement, assertGlueName } from '../../engines/athena/athena-sql.ts';
import { discoverLakeTables } from '../../engines/athena/lake-tables.ts';
import { runCtas } from '../../engines/athena/ctas.ts';
import { GlueApi } from '../../cloud/aws/glue.ts';
import type { S3Storage } from '../../storage/s3/s3-storage.ts';

function athenaConfig(ctx: Context) {
  const a = ctx.loaded.config.engine.athena;
  if (!a) {
    throw new EventlakeError('engine.athena is not configured', {
      step: 'config',
      code: 'CONFIG',
      next: 'add engine.athena (workgroup, database, outputLocation, kmsKeyId) to eventlake.config.yaml',
    });
  }
  return a;
}

/** s3://… location of a lake prefix: the lake bucket when the lake is on S3, else --location-base. */
function locationOf(ctx: Context, prefix: string, base?: string): string {
  if (base) {
    if (!/^s3:\/\/[^/]+\/(.*\/)?$/.test(base)) throw new EventlakeError(`--location-base must look like s3://bucket/prefix/`, { step: 'cli', code: 'USAGE' });
    return base + prefix;
  }
  if (ctx.storage.kind === 's3') return (ctx.storage as S3Storage).uri(prefix.replace(/\/$/, '')) + '/';
  throw new EventlakeError('the lake is local: pass --location-base s3://bucket/prefix/ (where the same keys live on S3)', { step: 'cli', code: 'USAGE' });
}

export function register(reg: Registrar): void {
  const g = reg.group('athena', 'Athena/Glue: lake tables with partition projection, CTAS Parquet builds');

  g.command('setup')
    .summary('create the Glue database and one external table per lake table (partition projection on dt)')
    .description(
      'Finds cleaned/<source>/<table>/ and aggregated/<domain>/<table>/ Parquet tables in the lake, reads their columns\n' +
        'from one Parquet file each (DuckDB DESCRIBE), and creates external tables named <layer>_<group>_<table> with\n' +
        "partition projection on dt (projection.dt.type=date, format yyyy-MM-dd, range NOW-3YEARS,NOW,\n" +
        'storage.location.template …/dt=${dt}/): no MSCK REPAIR, no crawler. --print writes the DDL; --apply runs it.',
    )
    .option('--print', 'print the DDL only (default)')
    .option('--apply', 'run the DDL on Athena (engine.athena workgroup/outputLocation)')
    .option('--location-base <s3url>', 'S3 URL where the lake keys live (required when the lake is local)')
    .option('--range <range>', 'projection.dt.range', 'NOW-3YEARS,NOW')
    .action(async (o: { print?: boolean; apply?: boolean; locationBase?: string; range: string }, cmd) => {
      if (o.print && o.apply) throw new EventlakeError('choose --print or --apply', { step: 'cli', code: 'USAGE' });
      const ctx = await reg.context(cmd);
      const a = o.apply ? athenaConfig(ctx) : ctx.loaded.config.engine.athena;
      const database = assertGlueName(a?.database ?? 'eventlake', 'database');
      const duck = await DuckDbEngine.open();
      let tables;
      try {
        tables = await discoverLakeTables(ctx.storage, ctx.layout, duck, ctx.loaded.tmpDir);
      } finally {
        await duck.close();
      }
      if (tables.length === 0) {
        throw new EventlakeError('no Parquet tables under cleaned/ or aggregated/ yet', { step: 'athena.setup', next: 'eventlake transform … first' });
      }
      const statements = [
        createDatabaseStatement(database),
        ...tables.map((t) =>
          projectionTableStatement({
            database,
            table: t.glueName,
            columns: t.columns,
            location: locationOf(ctx, t.prefix, o.locationBase),
            range: o.range,
            partitioned: t.partitioned,
            comment: `eventlake ${t.layer} ${t.group}/${t.table}`,
          }),
        ),
      ];
      if (!o.apply) {
        process.stdout.write(statements.map((s) => `${s};\n`).join('\n'));
        return;
      }
      const engine = new AthenaEngine({ ...a!, database: undefined });
      try {
        for (const s of statements) await engine.run(s);
      } finally {
        await engine.close();
      }
      process.stdout.write(`created/checked database ${database} and ${tables.length} table(s): ${tables.map((t) => t.glueName).join(', ')}\n`);
    });

  g.command('ctas')
    .summary('build a dt-partitioned Parquet+Snappy table with CTAS + INSERT INTO chunks of ≤100 partitions')
    .description(
      'Runs the SELECT in --sql (its last column must be dt) as one CTAS for the first ≤100 dt partitions and\n' +
        'INSERT INTO for each further chunk (Athena writes at most 100 partitions per query). A rebuild drops the\n' +
        'Glue table and empties --location first (lake bucket only), so reruns replace, never append.',
    )
    .requiredOption('--table <name>', 'target table (lower-case Glue name)')
    .requiredOption('--sql <file>', 'file holding the model SELECT')
    .requiredOption('--location <s3url>', 'external_location s3://bucket/prefix/ (must be empty or inside the lake bucket)')
    .requiredOption('--from <date>', 'first dt (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last dt (YYYY-MM-DD)')
    .option('--print', 'print the statements only')
    .action(async (o: { table: string; sql: string; location: string; from: string; to: string; print?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const select = await readFile(o.sql, 'utf8');
      const a = o.print ? ctx.loaded.config.engine.athena : athenaConfig(ctx);
      const plan = { database: a?.database ?? 'eventlake', table: o.table, select, location: o.location, dts: datesBetween(o.from, o.to) };
      if (o.print) {
        const { ctasStatements } = await import('../../engines/athena/athena-sql.ts');
        process.stdout.write(ctasStatements(plan).map((s) => `${s};\n`).join('\n'));
        return;
      }
      const engine = new AthenaEngine(a!);
      const glue = new GlueApi({ region: a!.region });
      // Empty the location only when it is inside the lake bucket we manage; never an arbitrary bucket.
      let clearLocation: (() => Promise<number>) | undefined;
      if (ctx.storage.kind === 's3') {
        const lakeRoot = (ctx.storage as S3Storage).uri('x').slice(0, -1);
        if (o.location.startsWith(lakeRoot)) {
          const key = o.location.slice(lakeRoot.length);
          clearLocation = () => ctx.storage.deletePrefix(key);
        }
      }
      try {
        const r = await runCtas(engine, plan, {
          glue,
          clearLocation,
          onStatement: (i, n, out) => ctx.log.info({ queryId: out.queryId, scannedBytes: out.dataScannedBytes }, `athena ctas ${o.table}: statement ${i + 1}/${n} done`),
        });
        const scanned = r.outcomes.reduce((s, x) => s + (x.dataScannedBytes ?? 0), 0);
        process.stdout.write(`built ${plan.database}.${o.table}: ${r.statements.length} statement(s), ${plan.dts.length} dt(s), ${scanned} bytes scanned\n`);
      } finally {
        await engine.close();
        glue.destroy();
      }
    });
}
