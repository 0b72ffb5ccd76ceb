// `eventlake report <name>`: runs a named analytic query (models/analytics/<name>.sql) over the GitHub gold layer of
// the configured lake, on an in-memory DuckDB with views over aggregated/github/<table> Parquet.
import type { Command } from 'commander';
import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import type { Row } from '../../core/engine.ts';
import { DuckDbEngine } from '../../engines/duckdb/duckdb-engine.ts';
import { registerGithubGoldViews } from '../../models/github/views.ts';
import { getNamedQuery, listNamedQueries, runNamedQuery, type NamedQueryParams } from '../../models/analytics.ts';

type Format = 'table' | 'json' | 'csv';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatRows(rows: Row[], format: Format, columns?: string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (format === 'json') return JSON.stringify(rows.map((r) => Object.fromEntries(cols.map((c) => [c, r[c] instanceof Date ? (r[c] as Date).toISOString() : r[c]]))), null, 2) + '\n';
  if (format === 'csv') {
    const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return [cols.map(q).join(','), ...rows.map((r) => cols.map((c) => q(cell(r[c]))).join(','))].join('\n') + '\n';
  }
  if (cols.length === 0) return '(no rows)\n';
  const data = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...data.map((d) => d[i]!.length)));
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === null));
  const line = (cells: string[]) => cells.map((s, i) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...data.map(line)];
  if (rows.length === 0) out.push('(no rows)');
  return out.join('\n') + '\n';
}

function describeQueries(): string {
  return listNamedQueries()
    .map((q) => `  ${q.name.padEnd(26)} ${q.description}\n${q.params.map((p) => `      --${p.name === 'repos' ? 'repo' : p.name} (${p.type}${p.default ? `, default ${p.default}` : ''}) ${p.description}`).join('\n')}`)
    .join('\n');
}

export function register(reg: Registrar): void {
  reg.program
    .command('report')
    .description('run a named analytic query over the GitHub gold layer (dim_date, dim_repo, dim_user, fact_events)')
    .argument('[name]', 'query name (see --list)')
    .option('--from <date>', 'first day, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last day, YYYY-MM-DD (inclusive)')
    .option('--repo <owner/name>', 'restrict to a repository (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--limit <n>', 'number of rows for ranked queries')
    .option('--format <format>', 'output format: table, json or csv', 'table')
    .option('--list', 'list the named queries and their parameters')
    .addHelpText(
      'after',
      () =>
        `\nNamed queries (models/analytics/*.sql, portable SQL: DuckDB, PostgreSQL, Athena/Trino):\n${describeQueries()}\n\n` +
        'The gold layer is built by `eventlake aggregate`; an empty lake gives no rows.\n' +
        'Examples:\n  eventlake report top_repos_by_stars --from 2026-11-01 --to 2026-11-07 --limit 20\n' +
        '  eventlake report events_by_repo_over_time --repo torvalds/linux --repo nodejs/node --format csv\n',
    )
    .action(async (name: string | undefined, opts: { from?: string; to?: string; repo?: string[]; limit?: string; format: string; list?: boolean }, cmd: Command) => {
      if (opts.list) {
        process.stdout.write(describeQueries() + '\n');
        return;
      }
      if (!name) throw new EventlakeError('missing query name', { step: 'report', code: 'USAGE', next: 'eventlake report --list' });
      if (!['table', 'json', 'csv'].includes(opts.format)) {
        throw new EventlakeError(`--format must be table, json or csv (got ${opts.format})`, { step: 'report', code: 'USAGE' });
      }
      getNamedQuery(name); // unknown names fail before any lake access
      const params: NamedQueryParams = { from: opts.from, to: opts.to, repos: opts.repo, limit: opts.limit };
      const ctx = await reg.context(cmd);
      const root = ctx.storage.localPath(`${ctx.layout.prefixes.aggregated}/github`);
      if (!root) {
        throw new EventlakeError('report reads the gold layer from a local lake; this storage has no local paths', {
          step: 'report',
          next: 'run the named queries through the warehouse (Athena/Snowflake) or point --lake at a local copy',
        });
      }
      const engine = await DuckDbEngine.open({ memoryLimit: ctx.loaded.config.engine.duckdb.memoryLimit, threads: ctx.loaded.config.engine.duckdb.threads });
      try {
        const withData = await registerGithubGoldViews(engine, root);
        if (!withData.includes('fact_events')) process.stderr.write(`note: no GitHub gold data under ${root} yet (run \`eventlake aggregate\`)\n`);
        const rows = await runNamedQuery(engine, name, params);
        process.stdout.write(formatRows(rows, opts.format as Format));
      } finally {
        await engine.close();
      }
    });
}
