import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { formatResult, queryLake, type OutputFormat } from '../../layers/query.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('query')
    .description(
      'SQL over the lake (DuckDB dialect). Every table is a view: cleaned <source>_<table> (amplitude_events,\n' +
        'github_events) and gold <domain>_<table> (amplitude_daily_events, amplitude_daily_active_users, github_fact_events…),\n' +
        'also as cleaned.<name> / aggregated.<name>. Example: eventlake query "SELECT event_type, count(*) FROM amplitude_events GROUP BY 1"',
    )
    .argument('<sql>', 'the query')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('--as <principal>', 'run governed as this principal (row filters and column masks of the governance policy)')
    .action(async (sql: string, o: { format: OutputFormat; as?: string }, cmd) => {
      const ctx = await reg.context(cmd);
      const res = await queryLake(ctx, sql, { as: o.as });
      process.stdout.write(formatResult(res, o.format));
    });
}
