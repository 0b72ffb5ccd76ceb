import type { Registrar } from '../program.ts';
import { loadPostgres } from '../../warehouse/postgres/load.ts';

export function register(reg: Registrar): void {
  reg
    .group('load', 'load the lake into a warehouse')
    .command('postgres')
    .description(
      'load gold into PostgreSQL for BI tools: the GitHub star schema (dim_date, dim_repo, dim_user, fact_events)\n' +
        'and the Amplitude gold (daily_events, daily_active_users), with primary keys and indexes for the dashboards.\n' +
        'Each dt is a PostgreSQL partition replaced in one transaction (TRUNCATE + COPY FROM STDIN); dimensions are upserted.\n' +
        'Partitions whose gold files are unchanged since the last load are skipped (use --force to reload).\n' +
        'Connection: warehouse.postgres.{host,port,database,user,schema}; the password is read from the env var\n' +
        'named by warehouse.postgres.passwordEnv (default PGPASSWORD); a host starting with / is a Unix socket dir.',
    )
    .option('--from <dt>', 'first dt partition to load (YYYY-MM-DD)')
    .option('--to <dt>', 'last dt partition to load (YYYY-MM-DD)')
    .option('--tables <list>', 'comma-separated gold tables to load (default: all present)')
    .option('--force', 'reload partitions even when unchanged')
    .action(async (o: { from?: string; to?: string; tables?: string; force?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const s = await loadPostgres(ctx, {
        from: o.from,
        to: o.to,
        force: o.force,
        tables: o.tables?.split(',').map((t) => t.trim()),
        onProgress: (m) => process.stderr.write(`load postgres: ${m}\n`),
      });
      process.stdout.write(
        `loaded ${s.loaded.length} partition(s), skipped ${s.skipped.length} unchanged\n` +
          Object.entries(s.tables)
            .map(([t, n]) => `  ${t}: ${n} rows\n`)
            .join(''),
      );
    });
}
