import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { runTransform } from '../../layers/transform.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('transform')
    .description(
      'raw → cleaned (silver): typed Parquet per dt under cleaned/<source>/<table>/dt=YYYY-MM-DD/, deduped on the event key.\n' +
        'Bad records go to quarantine/<source>/dt=…/transform.ndjson.gz with file, line and reason; the rest loads.\n' +
        'Each partition is checked (row counts reconcile, unique/non-null keys, arrival within dt) before it replaces the\n' +
        'previous one; a failing check keeps the old partition and exits 5. Rerunning a window replaces, never duplicates.',
    )
    .addOption(new Option('--source <source>', 'only this source (default: every source with raw data)'))
    .option('--from <dt>', 'first dt (YYYY-MM-DD), inclusive')
    .option('--to <dt>', 'last dt (YYYY-MM-DD), inclusive')
    .addOption(new Option('--codec <codec>', 'Parquet codec (default: transform.codec)').choices(['zstd', 'snappy']))
    .option('--json', 'print the per-partition summary as JSON')
    .action(async (o: { source?: string; from?: string; to?: string; codec?: 'zstd' | 'snappy'; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const res = await runTransform(ctx, { source: o.source, from: o.from, to: o.to ?? o.from, codec: o.codec });
      if (o.json) process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      else
        for (const s of res)
          process.stdout.write(
            `${s.source} dt=${s.dt}: ${s.result.inputRecords} in, ${Object.entries(s.result.rows).map(([t, n]) => `${n} ${t}`).join(', ')}, ` +
              `${s.result.quarantined} quarantined, ${s.result.duplicates} duplicates (${s.rawFiles} files, ${s.seconds.toFixed(1)}s) ${s.status}\n`,
          );
      if (res.length === 0) process.stdout.write('nothing to transform: no raw files in the window\n');
    });
}
