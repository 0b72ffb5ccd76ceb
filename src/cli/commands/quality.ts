import type { Registrar } from '../program.ts';
import { runQuality } from '../../layers/quality.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('quality')
    .description(
      'reruns the data-quality checks over the cleaned partitions in the lake: row counts reconcile with the manifest,\n' +
        'unique and non-null keys, arrival time within dt, freshness (enforced when transform.quality.freshnessMaxHours\n' +
        'is set). Exits 5 and names the failing checks when any fails.',
    )
    .option('--source <source>', 'only this source')
    .option('--from <dt>', 'first dt, inclusive')
    .option('--to <dt>', 'last dt, inclusive')
    .option('--json', 'print the full report as JSON')
    .action(async (o: { source?: string; from?: string; to?: string; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const reports = await runQuality(ctx, o);
      if (o.json) {
        process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
        return;
      }
      for (const r of reports) {
        process.stdout.write(`${r.source}: ${r.partitions.length} partitions checked, all passed\n`);
        if (r.freshness) process.stdout.write(`  ${r.freshness.ok ? 'ok' : 'WARN'} freshness: ${r.freshness.detail}\n`);
      }
    });
}
