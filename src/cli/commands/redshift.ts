import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import { loadRedshift, openRedshift, redshiftSetupSql, setupRedshift } from '../../warehouse/redshift/load.ts';

export function register(reg: Registrar): void {
  const g = reg.group('redshift', 'Amazon Redshift Serverless as the BI warehouse over gold (via the Redshift Data API)');
  g.command('setup')
    .description(
      'create the Spectrum external schema over the Glue database (gold_ext) and the native gold tables (schema gold).\n' +
        '--print shows the SQL without connecting; --apply runs it through the Data API (warehouse.redshift.*).',
    )
    .option('--print', 'print the SQL only')
    .option('--apply', 'execute the SQL')
    .action(async (o: { print?: boolean; apply?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      if (!o.print && !o.apply) throw new EventlakeError('choose --print or --apply', { step: 'warehouse.redshift', code: 'USAGE', next: 'eventlake redshift setup --print' });
      if (o.print) {
        process.stdout.write(redshiftSetupSql(ctx).map((s) => s + ';\n').join('\n'));
        return;
      }
      const rs = openRedshift(ctx);
      try {
        const n = await setupRedshift(ctx, rs);
        process.stdout.write(`redshift setup: ${n} statements applied\n`);
      } finally {
        rs.close();
      }
    });
  reg
    .group('load', 'load the lake into a warehouse')
    .command('redshift')
    .description(
      'copy gold partitions from S3 (through Spectrum) into Redshift native tables: each dt is replaced in one\n' +
        'transaction (BatchExecuteStatement); unchanged partitions are skipped using the lake load history.',
    )
    .option('--from <dt>', 'first dt (YYYY-MM-DD)')
    .option('--to <dt>', 'last dt (YYYY-MM-DD)')
    .option('--tables <list>', 'comma-separated gold tables')
    .option('--force', 'reload unchanged partitions')
    .action(async (o: { from?: string; to?: string; tables?: string; force?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const rs = openRedshift(ctx);
      try {
        const s = await loadRedshift(ctx, rs, { ...o, tables: o.tables?.split(','), onProgress: (m) => process.stderr.write(`load redshift: ${m}\n`) });
        process.stdout.write(`loaded ${s.loaded.length} partition(s), skipped ${s.skipped.length}\n` + Object.entries(s.tables).map(([t, n]) => `  ${t}: ${n} rows\n`).join(''));
      } finally {
        rs.close();
      }
    });
}
