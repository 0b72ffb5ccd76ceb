// `eventlake athena setup --print|--apply` and `eventlake athena ctas …`.
import { readFile } from 'node:fs/promises';
import type { Registrar } from '../program.ts';
import type { Context } from '../context.ts';
import { EventlakeError } from '../../core/errors.ts';
import { datesBetween } from '../../lake/layout.ts';
import { DuckDbEngine } from '../../engines/duckdb/duckdb-engine.ts';
import { AthenaEngine } from '../../engines/athena/athena-engine.ts';
import { createDatabaseStatement, projectionTableStatement, assertGlueName, goldViewStatement } from '../../engines/athena/athena-sql.ts';
import { getNamedQuery, runNamedQuery, type NamedQueryParams } from '../../models/analytics.ts';
import { formatResult, type OutputFormat } from '../../layers/query.ts';
import { discoverLakeTables } from '../../engines/athena/lake-tables.ts';
import { runCtas } from '../../engines/athena/ctas.ts';
import { GlueApi } from '../../cloud/aws/glue.ts';
import { amplitudeTouchedDatesQuery, planAthenaAmplitudeGold, planAthenaGold, runAthenaGold, type GoldStep } from '../../engines/athena/gold.ts';
import { GOLD_TABLES as AMPLITUDE_GOLD_TABLES } from '../../models/amplitude/gold.ts';
import { DIM_TABLES, PER_DT_TABLES } from '../../models/github/gold-sql.ts';
import { catalogTableName } from '../../models/gold-schema.ts';
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

export interface AthenaAggregateOptions {
  from: string;
  to?: string;
  print?: boolean;
  locationBase?: string;
  chunkSize?: string;
  /** github (default) or amplitude. */
  source?: string;
}

const goldName = (t: string) => catalogTableName('github', t);

/**
 * `eventlake athena aggregate` / `eventlake aggregate --engine athena`: the GitHub gold build on Athena, from the
 * Glue table github_events (`eventlake athena setup`) to github_<gold table> under aggregated/github/<table>/.
 */
export async function runAthenaAggregate(ctx: Context, o: AthenaAggregateOptions, out: (text: string) => void = (t) => void process.stdout.write(t)): Promise<void> {
  const source = o.source ?? 'github';
  if (source !== 'github' && source !== 'amplitude') {
    throw new EventlakeError(`the gold build on Athena knows the sources github and amplitude (got "${source}")`, { step: 'cli', code: 'USAGE' });
  }
  const dts = datesBetween(o.from, o.to ?? o.from);
  const chunkSize = o.chunkSize === undefined ? undefined : Number(o.chunkSize);
  if (chunkSize !== undefined && !(Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= 100)) {
    throw new EventlakeError('--chunk-size must be an integer 1..100', { step: 'cli', code: 'USAGE' });
  }
  const a = o.print ? ctx.loaded.config.engine.athena : athenaConfig(ctx);
  const database = assertGlueName(a?.database ?? 'eventlake', 'database');
  if (!o.print && ctx.storage.kind !== 's3') {
    throw new EventlakeError('the gold build on Athena deletes what it rewrites in the lake bucket: configure the lake on S3 (storage.kind s3)', {
      step: 'athena.aggregate',
      code: 'CONFIG',
      next: `eventlake athena aggregate --from ${o.from} --to ${o.to ?? o.from} --print --location-base s3://bucket/prefix/ (to see the statements)`,
    });
  }
  const location = (t: string) => locationOf(ctx, ctx.layout.aggregatedPrefix(source, t), o.locationBase);
  const rerun = () => `eventlake aggregate --engine athena --source ${source} --from ${dts[0]} --to ${dts.at(-1)}`;
  const show = (s: GoldStep) => (s.kind === 'clear' ? `-- delete objects under ${s.dts ? s.dts.map((d) => `${s.location}dt=${d}/`).join(', ') : s.location}\n` : `${s.sql};\n`);
  if (source === 'amplitude') return runAthenaAmplitude(ctx, { ...o, database, dts, chunkSize, location, rerun, show, athena: a }, out);
  const glue = o.print ? undefined : new GlueApi({ region: a!.region, endpoint: a!.endpoint });
  try {
    // Which gold tables exist decides CTAS (first build) or INSERT INTO; --print assumes a first build.
    const existing = new Set<string>();
    if (glue) for (const t of [...PER_DT_TABLES, ...DIM_TABLES]) if (await glue.getTable(database, goldName(t))) existing.add(goldName(t));
    const steps = planAthenaGold({ database, dts, location, existing, chunkSize, tableName: goldName });
    if (o.print) {
      out(steps.map(show).join('\n'));
      return;
    }
    const engine = new AthenaEngine(a!);
    const lakeRoot = (ctx.storage as S3Storage).uri('x').slice(0, -1);
    try {
      const r = await runAthenaGold(
        steps,
        {
          execute: (sql) => engine.execute(sql),
          clear: (loc) => {
            // Only ever inside the lake bucket/prefix we manage.
            if (!loc.startsWith(lakeRoot)) throw new EventlakeError(`refusing to delete ${loc}: outside the lake ${lakeRoot}`, { step: 'athena.aggregate' });
            return ctx.storage.deletePrefix(loc.slice(lakeRoot.length));
          },
          onStep: (i, n, s, out) => ctx.log.info({ queryId: out?.queryId, scannedBytes: out?.dataScannedBytes }, `athena aggregate: step ${i + 1}/${n} ${s.kind === 'sql' ? s.verb : 'clear'} ${s.table} done`),
        },
        rerun,
      );
      out(`github gold on Athena: ${dts.length} dt(s), ${r.statements} statement(s), ${r.clearedObjects} object(s) replaced, ${r.scannedBytes} bytes scanned\n`);
    } finally {
      await engine.close();
    }
  } finally {
    glue?.destroy();
  }
}

/** Runs planned gold steps on Athena, deleting only inside the lake bucket/prefix; returns the summary counts. */
async function runSteps(ctx: Context, engine: AthenaEngine, steps: GoldStep[], rerun: () => string) {
  const lakeRoot = (ctx.storage as S3Storage).uri('x').slice(0, -1);
  return runAthenaGold(
    steps,
    {
      execute: (sql) => engine.execute(sql),
      clear: (loc) => {
        if (!loc.startsWith(lakeRoot)) throw new EventlakeError(`refusing to delete ${loc}: outside the lake ${lakeRoot}`, { step: 'athena.aggregate' });
        return ctx.storage.deletePrefix(loc.slice(lakeRoot.length));
      },
      onStep: (i, n, s, res) => ctx.log.info({ queryId: res?.queryId, scannedBytes: res?.dataScannedBytes }, `athena aggregate: step ${i + 1}/${n} ${s.kind === 'sql' ? s.verb : 'clear'} ${s.table} done`),
    },
    rerun,
  );
}

/**
 * The Amplitude gold on Athena: the touched-dates query over the window's arrival dts of amplitude_events, then
 * amplitude_daily_events / amplitude_daily_active_users rebuilt for those event days (engines/athena/gold.ts).
 * --print cannot ask Athena which event days the window touches: it prints the query and then the steps as if the
 * event days were the window's dts.
 */
async function runAthenaAmplitude(
  ctx: Context,
  o: Omit<AthenaAggregateOptions, "chunkSize"> & {
    database: string; dts: string[]; chunkSize?: number; location: (t: string) => string; rerun: () => string;
    show: (s: GoldStep) => string; athena: ReturnType<typeof athenaConfig> | undefined;
  },
  out: (text: string) => void,
): Promise<void> {
  const name = (t: string) => `amplitude_${t}`;
  const touched = amplitudeTouchedDatesQuery(o.database, o.dts);
  if (o.print) {
    const steps = planAthenaAmplitudeGold({ database: o.database, dates: o.dts, location: o.location, existing: new Set(), chunkSize: o.chunkSize });
    out(`-- event days the window touches:\n${touched};\n\n-- then, per touched event day (shown here as the window's dts):\n${steps.map(o.show).join('\n')}`);
    return;
  }
  const a = o.athena!;
  const glue = new GlueApi({ region: a.region, endpoint: a.endpoint });
  const engine = new AthenaEngine(a);
  try {
    const existing = new Set<string>();
    for (const t of AMPLITUDE_GOLD_TABLES) if (await glue.getTable(o.database, name(t))) existing.add(name(t));
    let dates: string[];
    try {
      dates = (await engine.all<{ event_date: string }>(touched)).map((r) => String(r.event_date));
    } catch (e) {
      throw new EventlakeError(`athena gold build failed finding the event days of ${o.dts[0]}..${o.dts.at(-1)}: ${(e as Error).message}`, {
        step: 'athena.aggregate.amplitude_events', cause: e, retryable: (e as EventlakeError).retryable ?? false, next: o.rerun(),
      });
    }
    const steps = planAthenaAmplitudeGold({ database: o.database, dates, location: o.location, existing, chunkSize: o.chunkSize, tableName: name });
    const r = await runSteps(ctx, engine, steps, o.rerun);
    out(`amplitude gold on Athena: ${o.dts.length} dt(s) touching ${dates.length} event day(s), ${r.statements} statement(s), ${r.clearedObjects} object(s) replaced, ${r.scannedBytes} bytes scanned\n`);
  } finally {
    await engine.close();
    glue.destroy();
  }
}

export function register(reg: Registrar): void {
  const g = reg.group('athena', 'Athena/Glue: lake tables with partition projection, CTAS Parquet builds');

  g.command('setup')
    .summary('create the Glue database and one external table per lake table (partition projection on dt)')
    .description(
      'Finds cleaned/<source>/<table>/ and aggregated/<domain>/<table>/ Parquet tables in the lake, reads their columns ' +
        'from one Parquet file each (DuckDB DESCRIBE), and creates external tables named <source|domain>_<table> (github_events, ' +
        'github_fact_events, amplitude_daily_events: the CDK Catalog stack\'s names) with ' +
        "partition projection on dt (projection.dt.type=date, format yyyy-MM-dd, range NOW-3YEARS,NOW,\n" +
        'storage.location.template …/dt=${dt}/): no MSCK REPAIR, no crawler. --print writes the DDL; --apply runs it.',
    )
    .option('--print', 'print the DDL only (default)')
    .option('--apply', 'run the DDL on Athena (engine.athena workgroup/outputLocation)')
    .option('--location-base <s3url>', 'S3 URL where the lake keys live (required when the lake is local)')
    .option('--range <range>', 'projection.dt.range', 'NOW-3YEARS,NOW')
    .option('--views <domain>', "also create views named like that domain's gold tables (fact_events, dim_repo, …) for `athena report`; '' for none", 'github')
    .action(async (o: { print?: boolean; apply?: boolean; locationBase?: string; range: string; views: string }, cmd) => {
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
      const taken = new Set(tables.map((t) => t.glueName));
      const views = tables.filter((t) => o.views && t.layer === 'aggregated' && t.group === o.views && !taken.has(t.table));
      for (const t of views) statements.push(goldViewStatement(database, assertGlueName(t.table), t.glueName, t.columns, t.partitioned));
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
      process.stdout.write(
        `created/checked database ${database} and ${tables.length} table(s): ${tables.map((t) => t.glueName).join(', ')}` +
          (views.length ? `; views ${views.map((t) => t.table).join(', ')}` : '') +
          '\n',
      );
    });

  g.command('ctas')
    .summary('build a dt-partitioned Parquet+Snappy table with CTAS + INSERT INTO chunks of ≤100 partitions')
    .description(
      'Runs the SELECT in --sql (its last column must be dt) as one CTAS for the first ≤100 dt partitions and ' +
        'INSERT INTO for each further chunk (Athena writes at most 100 partitions per query). A rebuild drops the ' +
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

  g.command('aggregate')
    .summary('build the GitHub or Amplitude gold tables on Athena (the same model SQL as the embedded DuckDB build)')
    .description(
      'Runs models/github/gold_*.sql on Athena over the Glue table github_events (eventlake athena setup): fact_events, ' +
        "repo_daily, user_daily per dt (CTAS on the first build, then INSERT INTO per chunk of ≤100 dts, each chunk's " +
        'dt=…/ objects deleted first), then dim_repo, dim_user, dim_date rebuilt whole (location emptied, then INSERT INTO ' +
        'or CTAS). Tables are github_<table> under aggregated/github/<table>/. Reruns replace, never duplicate. ' +
        'Same as: eventlake aggregate --engine athena --source github --from … --to …. ' +
        'With --source amplitude: models/amplitude/gold_*.sql over the Glue table amplitude_events; first the event days ' +
        "the window's arrival dts touch are queried, then amplitude_daily_events and amplitude_daily_active_users are " +
        'rebuilt for those days from every amplitude_events partition (same chunking and replace rules, dt = event day).',
    )
    .option('--source <source>', 'github (default) or amplitude', 'github')
    .requiredOption('--from <date>', 'first dt (YYYY-MM-DD)')
    .option('--to <date>', 'last dt (YYYY-MM-DD, default --from)')
    .option('--print', 'print the steps and statements only (assumes a first build)')
    .option('--location-base <s3url>', 'S3 URL where the lake keys live (for --print with a local lake)')
    .option('--chunk-size <n>', 'dts per statement (≤ 100, Athena\'s partition limit)')
    .action(async (o: AthenaAggregateOptions, cmd) => runAthenaAggregate(await reg.context(cmd), o));

  g.command('report')
    .summary('run a named analytic query (models/analytics/*.sql) on Athena over the gold views')
    .description(
      'Runs one of the portable named queries (the same SQL `eventlake report` runs on DuckDB) on Athena, with ' +
        'parameters bound as Athena execution parameters. Needs the gold views from `eventlake athena setup --apply`.',
    )
    .argument('<name>', 'query name (eventlake report --list)')
    .option('--from <date>', 'first day, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--repo <owner/name>', 'restrict to a repository (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--limit <n>', 'number of rows for ranked queries')
    .option('--format <format>', 'table, json or csv', 'table')
    .action(async (name: string, o: { from?: string; to?: string; repo?: string[]; limit?: string; format: string }, cmd) => {
      if (!['table', 'json', 'csv'].includes(o.format)) throw new EventlakeError(`--format must be table, json or csv`, { step: 'cli', code: 'USAGE' });
      getNamedQuery(name);
      const ctx = await reg.context(cmd);
      const engine = new AthenaEngine(athenaConfig(ctx));
      try {
        const params: NamedQueryParams = { from: o.from, to: o.to, repos: o.repo, limit: o.limit };
        const rows = await runNamedQuery(engine, name, params);
        const columns = rows[0] ? Object.keys(rows[0]) : [];
        process.stdout.write(formatResult({ columns, rows }, o.format as OutputFormat));
      } finally {
        await engine.close();
      }
    });
}
