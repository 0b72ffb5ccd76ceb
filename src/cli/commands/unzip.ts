import { Option } from 'commander';
import type { Registrar } from '../program.ts';

import { loadConfig } from '../../config/load.ts';
import { progress } from '../../core/progress.ts';
import type { GlobalOptions } from '../context.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('unzip')
    .description(
      'unpack an Amplitude export zip into one folder of NDJSON files (<projectId>_<yyyy-MM-dd>_<H>#<n>.json), ' +
        'the same output as the seed procedure (unzip, gunzip every .json.gz, move into data/), streamed and in parallel. ' +
        'Entries are validated first (no absolute paths, "..", symlinks or zip bombs); nothing is left behind on error.',
    )
    .argument('<zip>', 'the export zip (as downloaded from the Amplitude Export API)')
    .requiredOption('--out <dir>', 'output folder (created; existing files with the same names are replaced)')
    .addOption(new Option('--concurrency <n>', 'entries inflated at the same time (default: number of CPUs + 1, at least 3)').argParser((v) => Math.max(1, Number.parseInt(v, 10) || 1)))
    .addHelpText('after', '\nZip-bomb bounds come from amplitude.maxEntries / maxEntryBytes / maxTotalUncompressedBytes / maxCompressionRatio.\n\nExample:\n  eventlake unzip export.zip --out data/')
    .action(async (zip: string, o: { out: string; concurrency?: number }, cmd) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      const cfg = loadConfig({ path: g.config }).config.amplitude;
      const prog = progress('unzip (files)');
      const s = await (await import('../../sources/amplitude/in-worker.ts')).unzipInWorker({ zip, outDir: o.out, concurrency: o.concurrency, limits: cfg, onFile: (f) => prog.add(1, f.bytes) });
      prog.done();
      process.stdout.write(`unzipped ${s.files.length} files (${s.gzBytes} gz bytes -> ${s.bytes} NDJSON bytes) into ${s.outDir}\n`);
    });
}
