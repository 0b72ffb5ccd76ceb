// `eventlake demo`: the main job on the embedded default, end to end, through the production code paths.
// It starts a local Amplitude Export API and a local GH Archive server on 127.0.0.1 serving the bundled samples
// (samples/, in the real formats), with throwaway random API keys, then runs: extract → transform (silver) →
// aggregate (gold) → load the embedded DuckDB warehouse → the named analytic reports.
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildContext, type Context } from '../cli/context.ts';
import { registerSecret } from '../core/secrets.ts';
import { EventlakeError } from '../core/errors.ts';
import type { Row } from '../core/engine.ts';
import { DuckDbEngine } from '../engines/duckdb/duckdb-engine.ts';
import { extractAmplitude, startAmplitudeDevServer } from '../sources/amplitude/index.ts';
import { extractGhArchive, startGithubDevServers } from '../sources/github/index.ts';
import { runAggregate, runTransform } from '../layers/index.ts';
import { warehouse } from '../warehouse/duckdb/duckdb-warehouse.ts';
import { registerGithubGoldViews } from '../models/github/views.ts';
import { runNamedQuery } from '../models/analytics.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLE_WINDOW = { start: '2026-11-01T00', end: '2026-11-01T05' } as const;

export interface DemoOptions {
  lake: string;
  config?: string;
  /** Print progress and reports to this writer (default: stdout). */
  write?: (s: string) => void;
}

export interface DemoSummary {
  lake: string;
  amplitude: { files: number; events: number };
  github: { files: number; events: number };
  cleaned: { source: string; dt: string; rows: number; quarantined: number; duplicates: number }[];
  gold: Record<string, number>;
  warehouse: { table: string; rowsLoaded: number; target: string };
  reports: Record<string, Row[]>;
  /** Config written next to the lake for `eventlake serve` (two principals whose tokens come from the environment). */
  serveConfig: string;
  /** Owner login of the top repository: the demo's restricted principal. */
  demoOwner: string;
}

export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  // Throwaway keys: the local Export API checks them exactly like Amplitude does (Basic auth).
  const apiKey = randomBytes(12).toString('hex');
  const secretKey = randomBytes(16).toString('hex');
  registerSecret(apiKey);
  registerSecret(secretKey);
  const amp = await startAmplitudeDevServer({ data: join(repoRoot, 'samples/amplitude'), apiKey, secretKey, host: '127.0.0.1', port: 0 });
  const gh = await startGithubDevServers({ dataDir: join(repoRoot, 'samples/github/gharchive'), host: '127.0.0.1', port: 0 });
  try {
    const ctx: Context = await buildContext(
      { lake: resolve(opts.lake), config: opts.config },
      { amplitude: { baseUrl: amp.url }, github: { gharchive: { baseUrl: gh.gharchiveUrl } } },
    );
    const env = { ...process.env, [ctx.loaded.config.amplitude.apiKeyEnv]: apiKey, [ctx.loaded.config.amplitude.secretKeyEnv]: secretKey };
    write(`eventlake demo: lake at ${ctx.loaded.lakeRoot}\n`);
    write(`  local Amplitude Export API ${amp.url}, local GH Archive ${gh.gharchiveUrl} (bundled samples, ${SAMPLE_WINDOW.start}..${SAMPLE_WINDOW.end} UTC)\n`);

    write('1/5 extract amplitude (zip of .json.gz, landed as is) ...\n');
    // --force: the sample hours are in the past anyway; force also re-lands them on a rerun (replace, never duplicate).
    const a = await extractAmplitude(ctx, { ...SAMPLE_WINDOW, force: true, env, quiet: true });
    write('2/5 extract gharchive (hourly .json.gz) ...\n');
    const g = await extractGhArchive(ctx, { ...SAMPLE_WINDOW, force: true, quiet: true });
    write('3/5 transform raw → cleaned Parquet ...\n');
    const cleaned = await runTransform(ctx, {});
    write('4/5 aggregate cleaned → gold ...\n');
    const gold = await runAggregate(ctx, {});
    write('5/5 load the embedded DuckDB warehouse (amplitude_raw + gold) ...\n');
    // The sample holds one malformed line on purpose: load the good lines, report the bad one (Snowflake ON_ERROR=CONTINUE).
    const wh = await warehouse.load(ctx, { force: true, onError: 'continue' });

    const summary: DemoSummary = {
      lake: ctx.loaded.lakeRoot,
      amplitude: { files: a.entries, events: a.events },
      github: { files: g.landed, events: g.lines },
      cleaned: cleaned.map((p) => ({
        source: p.source,
        dt: p.dt,
        rows: Object.values(p.result.rows)[0] ?? 0,
        quarantined: p.result.quarantined,
        duplicates: p.result.duplicates,
      })),
      gold: Object.fromEntries(gold.flatMap((s) => Object.entries(s.rows).map(([t, n]) => [`${s.source}.${t}`, n]))),
      warehouse: { table: wh.table, rowsLoaded: wh.rowsLoaded, target: wh.target },
      reports: {},
      serveConfig: join(dirname(ctx.loaded.lakeRoot), 'eventlake.demo.yaml'),
      demoOwner: '',
    };
    const engine = await DuckDbEngine.open({ memoryLimit: ctx.loaded.config.engine.duckdb.memoryLimit });
    try {
      await registerGithubGoldViews(engine, join(ctx.loaded.lakeRoot, ctx.layout.prefixes.aggregated, 'github'));
      for (const [name, params] of [
        ['top_repos_by_stars', { limit: 5 }],
        ['most_active_users', { limit: 5 }],
        ['event_type_trends', {}],
      ] as const) {
        summary.reports[name] = await runNamedQuery(engine, name, params);
      }
      const [owner] = await engine.all<{ owner_login: string }>(
        `SELECT d.owner_login FROM dim_repo d JOIN fact_events f USING (repo_id) GROUP BY 1 ORDER BY sum(f.event_count) DESC, 1 LIMIT 1`,
      );
      summary.demoOwner = owner?.owner_login ?? 'nobody';
    } finally {
      await engine.close();
    }
    writeFileSync(summary.serveConfig, demoServeConfig(summary.lake, summary.demoOwner));
    write(renderSummary(summary));
    return summary;
  } finally {
    await amp.close();
    await gh.close();
  }
}

function table(rows: Row[]): string {
  if (!rows.length) return '    (no rows)\n';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v === null || v === undefined ? '' : String(v));
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cs: string[]) => '    ' + cs.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd() + '\n';
  return line(cols) + rows.map((r) => line(cols.map((c) => cell(r[c])))).join('');
}

/** Governance for the dashboard: an admin and a repo owner; their tokens are read from the environment at serve time. */
export function demoServeConfig(lake: string, owner: string): string {
  return `# Written by \`eventlake demo\`: serve the demo lake with two principals (tokens come from the environment).
lake:
  root: ${JSON.stringify(lake)}
operate:
  governance:
    layers: [aggregated, cleaned]
    principals:
      - { name: admin, admin: true, token: { env: EVENTLAKE_DEMO_ADMIN_TOKEN } }
      - { name: owner, owner: ${JSON.stringify(owner)}, policies: [repo-owner], token: { env: EVENTLAKE_DEMO_OWNER_TOKEN } }
    policies:
      repo-owner:
        fact_events: { rowFilter: { kind: owner-repos, column: repo_id } }
        repo_daily: { rowFilter: { kind: owner-repos, column: repo_id } }
        user_daily: { rowFilter: { kind: owner-users, column: user_id } }
        dim_repo: { rowFilter: { kind: owner-repos, column: repo_id } }
        dim_user: { rowFilter: { kind: owner-users, column: user_id }, masks: { login: hash } }
        dim_date: {}
        github_events: { rowFilter: { kind: owner-repos, column: repo_id }, deny: [payload] }
`;
}

export function renderSummary(s: DemoSummary): string {
  let out = '\nraw (bronze)\n';
  out += `  amplitude: ${s.amplitude.files} files\n  github:    ${s.github.files} files\n`;
  out += 'cleaned (silver)\n';
  for (const c of s.cleaned) out += `  ${c.source.padEnd(9)} dt=${c.dt}: ${c.rows} rows, ${c.quarantined} quarantined, ${c.duplicates} duplicates removed\n`;
  out += 'aggregated (gold)\n';
  for (const [t, n] of Object.entries(s.gold)) out += `  ${t}: ${n} rows\n`;
  out += `warehouse: ${s.warehouse.rowsLoaded} events in ${s.warehouse.table} (${s.warehouse.target})\n`;
  for (const [name, rows] of Object.entries(s.reports)) out += `\nreport ${name}\n${table(rows)}`;
  out += `\nnext:\n  npx eventlake query "select event_type, count(*) from amplitude_events group by 1" --lake ${s.lake}\n`;
  out += `  npx eventlake report --list --lake ${s.lake}\n`;
  out += `  dashboard (sign in with a token; "owner" = ${s.demoOwner}, sees only their repos):\n`;
  out += `    export EVENTLAKE_DEMO_ADMIN_TOKEN=$(openssl rand -hex 16) EVENTLAKE_DEMO_OWNER_TOKEN=$(openssl rand -hex 16)\n`;
  out += `    npx eventlake -c ${s.serveConfig} serve     # then open http://127.0.0.1:8080/dashboard/\n`;
  return out;
}

export function assertDemoHealthy(s: DemoSummary): void {
  const problems: string[] = [];
  if (!s.cleaned.some((c) => c.source === 'amplitude' && c.rows > 0)) problems.push('no cleaned amplitude rows');
  if (!s.cleaned.some((c) => c.source === 'github' && c.rows > 0)) problems.push('no cleaned github rows');
  if (!Object.keys(s.gold).some((t) => t.startsWith('github.fact_events'))) problems.push('no github gold');
  if (problems.length) throw new EventlakeError(`demo finished but ${problems.join(', ')}`, { step: 'demo', next: 'eventlake demo --lake ./demo-lake (rerun) and check the log above' });
}
