import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { runAggregate } from '../../layers/aggregate.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('aggregate')
    .description(
      'cleaned → aggregated (gold): rebuilds the gold partitions the given cleaned dts touch and swaps each into\n' +
        'aggregated/<domain>/<table>/[dt=…/] (GitHub star schema; Amplitude daily events and daily active users).',
    )
    .addOption(new Option('--source <source>', 'only this source/domain (default: all)'))
    .option('--from <dt>', 'first cleaned dt (YYYY-MM-DD) to aggregate, inclusive (default: all)')
    .option('--to <dt>', 'last cleaned dt, inclusive')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { source?: string; from?: string; to?: string; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const res = await runAggregate(ctx, { source: o.source, from: o.from, to: o.to ?? o.from });
      if (o.json) process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      else
        for (const s of res)
          process.stdout.write(
            `${s.source}: ${s.dts.length} dts → ${Object.entries(s.rows).map(([t, n]) => `${t} ${n} rows`).join(', ')}; ${s.promoted.length} partitions swapped (${s.seconds.toFixed(1)}s)\n`,
          );
      if (res.length === 0) process.stdout.write('nothing to aggregate\n');
    });
}
