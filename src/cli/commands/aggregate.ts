import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { runAggregate } from '../../layers/aggregate.ts';
import { EventlakeError } from '../../core/errors.ts';
import { runAthenaAggregate } from './athena.ts';

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
    .addOption(new Option('--engine <engine>', 'duckdb (embedded, default) or athena (GitHub gold on Athena, see `eventlake athena aggregate --help`)').choices(['duckdb', 'athena']).default('duckdb'))
    .action(async (o: { source?: string; from?: string; to?: string; json?: boolean; engine: string }, cmd) => {
      const ctx = await reg.context(cmd);
      if (o.engine === 'athena') {
        if (o.source && o.source !== 'github') throw new EventlakeError('--engine athena builds the github gold only', { step: 'cli', code: 'USAGE' });
        if (!o.from) throw new EventlakeError('--engine athena needs --from (and --to)', { step: 'cli', code: 'USAGE' });
        await runAthenaAggregate(ctx, { from: o.from, to: o.to });
        return;
      }
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
