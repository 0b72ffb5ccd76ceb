// raw → cleaned on an Amplitude export (2,000,000 events; --quick: 50,000) against a bare DuckDB
// COPY (SELECT … FROM read_ndjson(…, columns=…)) TO … (FORMAT PARQUET, PARTITION_BY (dt)) over the same files, same
// DuckDB settings (memory_limit from engine.duckdb.memoryLimit, preserve_insertion_order=false), both in fresh
// processes started the same way. Target: ours ≤ 1.25x the bare COPY, peak RSS < 1.5 GB. Also timed: the gold build
// (eventlake aggregate) and a query over the gold views.
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { BenchOptions } from '../run.ts';
import { measure, medianOf, type BenchRow } from '../lib/measure.ts';
import { AMPLITUDE_FIELDS, columnsLiteral } from '../../src/models/amplitude/schema.ts';
import { modelSql, render } from '../../src/layers/sql-files.ts';
import { codec } from '../../src/codec/index.ts';

const DT = '2022-11-14';
const EVENT_TYPES = ['page_view', 'click', 'signup', 'purchase', 'search', 'share', 'logout', 'session_start'];
const COUNTRIES = ['United States', 'Germany', 'France', 'India', 'Brazil', 'Japan', 'Canada', null];
const PLATFORMS = ['Web', 'iOS', 'Android'];

function ts(base: number, ms: number): string {
  const d = new Date(base + ms);
  return d.toISOString().replace('T', ' ').replace('Z', '000');
}

/** Amplitude export files: gzip of NDJSON per hour, split into parts like the export zip's `#n` entries. */
export async function generateAmplitude(lake: string, events: number, files: number): Promise<void> {
  const base = Date.parse(`${DT}T00:00:00Z`);
  const perFile = Math.ceil(events / files);
  let n = 0;
  for (let f = 0; f < files; f++) {
    const hour = Math.floor((f * 24) / files);
    const dir = join(lake, 'raw', 'amplitude', `dt=${DT}`, `hour=${String(hour).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    const gz = codec().createGzip({ level: 6 });
    const out = createWriteStream(join(dir, `187520_${DT}_${hour}#${f}.json.gz`));
    gz.pipe(out);
    const lines: string[] = [];
    for (let i = 0; i < perFile && n < events; i++, n++) {
      const t = hour * 3_600_000 + ((n * 7919) % 3_600_000);
      lines.push(
        JSON.stringify({
          $insert_id: `ins-${n}`,
          adid: null,
          amplitude_attribution_ids: null,
          amplitude_event_type: null,
          amplitude_id: 800000000 + (n % 150000),
          app: 187520,
          city: 'City ' + (n % 300),
          client_event_time: ts(base, t - 250),
          client_upload_time: ts(base, t + 500),
          country: COUNTRIES[n % COUNTRIES.length],
          data: { path: '/2/httpapi', group_first_event: {}, group_ids: {} },
          device_brand: n % 3 === 0 ? 'Apple' : null,
          device_carrier: null,
          device_family: n % 3 === 0 ? 'iOS' : 'Windows',
          device_id: `d-${(n * 31) % 200000}`,
          device_manufacturer: null,
          device_model: n % 3 === 0 ? 'iPhone 14' : null,
          device_type: n % 3 === 0 ? 'Apple iPhone' : 'Windows',
          dma: null,
          event_id: n % 10000,
          event_properties: { page: `/p/${n % 500}`, referrer: 'https://example.com/' + (n % 50), value: n % 97, tags: ['a', 'b'] },
          event_time: ts(base, t),
          event_type: EVENT_TYPES[n % EVENT_TYPES.length],
          global_user_properties: {},
          group_properties: {},
          groups: {},
          idfa: null,
          ip_address: `10.${n % 256}.${(n >> 8) % 256}.1`,
          is_attribution_event: false,
          language: 'English',
          library: 'http/2.0',
          location_lat: null,
          location_lng: null,
          os_name: 'Chrome',
          os_version: String(100 + (n % 20)),
          partner_id: null,
          paying: null,
          plan: {},
          platform: PLATFORMS[n % PLATFORMS.length],
          processed_time: ts(base, t + 2000),
          region: 'Region ' + (n % 40),
          sample_rate: null,
          server_received_time: ts(base, t + 900),
          server_upload_time: ts(base, t + 950),
          session_id: base + t - (n % 600000),
          source_id: null,
          start_version: null,
          user_creation_time: ts(base, -86_400_000 * (n % 30)),
          user_id: n % 4 === 0 ? null : `user-${(n * 13) % 120000}`,
          user_properties: { plan: n % 2 ? 'pro' : 'free', cohort: `c${n % 12}`, initial_referrer: 'https://google.com' },
          uuid: `${(n * 2654435761 >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`,
          version_name: null,
        }),
      );
      if (lines.length >= 2000) {
        if (!gz.write(lines.join('\n') + '\n')) await once(gz, 'drain');
        lines.length = 0;
      }
    }
    if (lines.length) gz.write(lines.join('\n') + '\n');
    gz.end();
    await once(out, 'close');
  }
}

/** The bare COPY the issue compares against, as a script run by the same node + tsx as the CLI. */
function bareCopyScript(repoRoot: string, lake: string, out: string, memoryLimit: string): string {
  const select = render(modelSql('amplitude/cleaned_events.sql'), {
    raw: `read_ndjson('${lake}/raw/amplitude/*/*/*.json.gz', columns = ${columnsLiteral(AMPLITUDE_FIELDS)}, format = 'newline_delimited', compression = 'gzip', filename = true, hive_partitioning = true)`,
    file: 'filename',
  }).replace(/^\s*FROM /m, ', dt FROM ');
  return `
import { DuckDbEngine } from '${repoRoot}/src/engines/duckdb/duckdb-engine.ts';
const e = await DuckDbEngine.open({ memoryLimit: '${memoryLimit}', preserveInsertionOrder: false, tempDirectory: '${out}-spill' });
await e.run("SET TimeZone = 'UTC'");
await e.run(${JSON.stringify(`COPY (${select}) TO '${out}' (FORMAT PARQUET, COMPRESSION zstd, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)`)});
await e.close();
`;
}

/** Our transform in the same kind of process as the bare COPY (node + tsx, one script), so CLI start-up (every
 *  command module) is not counted against it; the query row below includes the CLI start-up. */
function oursScript(repoRoot: string, lake: string, memoryLimit: string): string {
  return `
import { buildContext } from '${repoRoot}/src/cli/context.ts';
import { runTransform } from '${repoRoot}/src/layers/index.ts';
const ctx = await buildContext({ lake: '${lake}' }, { engine: { duckdb: { memoryLimit: '${memoryLimit}' } } });
process.stdout.write(JSON.stringify(await runTransform(ctx, { source: 'amplitude' })));
`;
}

export async function rows(opts: BenchOptions): Promise<BenchRow[]> {
  const events = opts.quick ? 50_000 : 2_000_000;
  const files = opts.quick ? 4 : 48;
  const runs = opts.quick ? 1 : 3;
  const memoryLimit = '1GB';
  const lake = join(opts.workDir, 'lake');
  const genStart = Date.now();
  await generateAmplitude(lake, events, files);
  const genSecs = (Date.now() - genStart) / 1000;
  const bareOut = join(opts.workDir, 'bare');
  const script = join(opts.workDir, 'bare-copy.mts');
  writeFileSync(script, bareCopyScript(opts.repoRoot, lake, bareOut, memoryLimit));
  const ours = join(opts.workDir, 'ours-transform.mts');
  writeFileSync(ours, oursScript(opts.repoRoot, lake, memoryLimit));
  const cli = (...args: string[]) =>
    measure(process.execPath, ['--import', 'tsx', join(opts.repoRoot, 'src/cli/main.ts'), '--lake', lake, ...args], {
      cwd: opts.repoRoot,
      env: { EVENTLAKE_LOG_LEVEL: 'warn', EVENTLAKE_CONFIG: '', EVENTLAKE_CFG__engine__duckdb__memoryLimit: JSON.stringify(memoryLimit) },
    });

  // Interleave runs so both sides see the same machine state.
  const bareTimes: number[] = [];
  const oursTimes: number[] = [];
  let bareRss = 0;
  let oursRss = 0;
  let oursOut = '';
  for (let i = 0; i < runs; i++) {
    rmSync(bareOut, { recursive: true, force: true });
    const b = await measure(process.execPath, ['--import', 'tsx', script], { cwd: opts.repoRoot });
    bareTimes.push(b.seconds);
    bareRss = Math.max(bareRss, b.peakRssMB);
    const o = await measure(process.execPath, ['--import', 'tsx', ours], { cwd: opts.repoRoot, env: { EVENTLAKE_LOG_LEVEL: 'warn', EVENTLAKE_CONFIG: '' } });
    oursTimes.push(o.seconds);
    oursRss = Math.max(oursRss, o.peakRssMB);
    oursOut = o.stdout;
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bare = med(bareTimes);
  const oursMed = med(oursTimes);
  const summary = JSON.parse(oursOut) as { result: { inputRecords: number; rows: Record<string, number> } }[];
  const loaded = summary[0]?.result.rows.events ?? 0;
  if (loaded !== events) throw new Error(`transform loaded ${loaded} of ${events} events`);
  const ratio = oursMed / bare;

  const gold = await medianOf(runs, () => undefined, () => cli('aggregate', '--source', 'amplitude'));
  const query = await medianOf(runs, () => undefined, () =>
    cli('query', 'SELECT event_date, sum(event_count) AS events, count(*) AS groups FROM amplitude_daily_events GROUP BY 1 ORDER BY 1', '--format', 'csv'),
  );

  return [
    {
      row: `transform amplitude raw→cleaned (${events.toLocaleString('en-US')} events, ${files} files)`,
      ours: `${oursMed.toFixed(2)} s, ${oursRss.toFixed(0)} MB peak`,
      comparison: `bare DuckDB COPY ${bare.toFixed(2)} s, ${bareRss.toFixed(0)} MB`,
      ratio,
      target: '<= 1.25x, RSS < 1536 MB',
      pass: ratio <= 1.25 && oursRss < 1536,
      notes: `memory_limit ${memoryLimit}; runs ours ${oursTimes.map((t) => t.toFixed(2)).join('/')} bare ${bareTimes.map((t) => t.toFixed(2)).join('/')}; data generated in ${genSecs.toFixed(0)} s`,
    },
    {
      row: 'aggregate amplitude gold (daily events + DAU)',
      ours: `${gold.seconds.toFixed(2)} s, ${gold.peakRssMB.toFixed(0)} MB peak`,
      comparison: '-',
      ratio: null,
      target: 'timed',
      pass: null,
    },
    {
      row: 'query over gold view (CLI, incl. start-up)',
      ours: `${query.seconds.toFixed(2)} s`,
      comparison: '-',
      ratio: null,
      target: 'timed',
      pass: null,
    },
  ];
}
