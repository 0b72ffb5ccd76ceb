import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { Registrar } from '../program.ts';

// The source is imported inside the actions so that `eventlake --help` and other commands start fast.
const amplitude = () => import('../../sources/amplitude/index.ts');

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'samples', 'amplitude');
const int = (v: string) => Number.parseInt(v, 10);

export function register(reg: Registrar): void {
  const g = reg.group('dev', 'local stand-ins for external services (for tests and the demo)');
  g.command('amplitude-server')
    .description('run a local Amplitude Export API on 127.0.0.1 serving zips built from hourly .json.gz files')
    .option('--port <n>', 'port (0 = any free port)', int, 0)
    .option('--data <dir|zip>', 'folder of <projectId>_<yyyy-MM-dd>_<H>#<n>.json.gz files, or an export zip', SAMPLES)
    .option('--fail-429 <n>', 'answer 429 to the first n requests', int)
    .option('--fail-500 <n>', 'answer 500 to the first n requests', int)
    .option('--not-a-zip <n>', 'answer 200 with an HTML page to the first n requests', int)
    .addOption(new Option('--too-large <status>', 'answer 400 or 504 to windows longer than 1 hour').choices(['400', '504']))
    .option('--delay-ms <ms>', 'delay every answer', int)
    .addHelpText(
      'after',
      `
Credentials: the server accepts AMPLITUDE_API_KEY / AMPLITUDE_SECRET_KEY from the environment when set,
otherwise dev-api-key / dev-secret-key. Point the extractor at it with
  EVENTLAKE_CFG__amplitude__baseUrl=<printed url> eventlake extract amplitude --start 2026-11-01T00 --end 2026-11-01T05`,
    )
    .action(async (o: { port: number; data: string; fail429?: number; fail500?: number; notAZip?: number; tooLarge?: string; delayMs?: number }) => {
      const apiKey = process.env.AMPLITUDE_API_KEY || 'dev-api-key';
      const secretKey = process.env.AMPLITUDE_SECRET_KEY || 'dev-secret-key';
      const srv = await (await amplitude()).startAmplitudeDevServer({
        data: o.data,
        port: o.port,
        apiKey,
        secretKey,
        fail429First: o.fail429,
        fail500First: o.fail500,
        notAZipFirst: o.notAZip,
        tooLarge: o.tooLarge ? { status: Number(o.tooLarge) as 400 | 504, overHours: 1 } : undefined,
        delayMs: o.delayMs,
      });
      process.stdout.write(`amplitude dev server listening on ${srv.url} (data: ${o.data})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await srv.close();
    });

  g.command('amplitude-generate')
    .description('write realistic generated Amplitude export files (hourly .json.gz, optionally an export zip)')
    .requiredOption('--start <hour>', 'first hour, YYYY-MM-DDTHH')
    .requiredOption('--end <hour>', 'last hour, inclusive')
    .requiredOption('--events <n>', 'number of events', int)
    .requiredOption('--out <dir>', 'folder for the hourly files')
    .option('--zip <file>', 'also build an export zip from them')
    .option('--seed <n>', 'random seed', int, 42)
    .option('--duplicates <n>', 'events re-sent with the same uuid', int, 0)
    .option('--malformed <n>', 'lines that are not valid JSON', int, 0)
    .option('--events-per-file <n>', 'split hours into #0, #1... files of at most n events', int, 50_000)
    .action(async (o: { start: string; end: string; events: number; out: string; zip?: string; seed: number; duplicates: number; malformed: number; eventsPerFile: number }) => {
      const files = await (await amplitude()).writeAmplitudeHourlyFiles({ start: o.start, end: o.end, events: o.events, outDir: o.out, seed: o.seed, duplicates: o.duplicates, malformedLines: o.malformed, eventsPerFile: o.eventsPerFile });
      if (o.zip) await (await amplitude()).writeExportZip(files.map((f) => f.path), o.zip);
      process.stdout.write(`wrote ${files.length} files (${files.reduce((s, f) => s + f.events, 0)} lines) to ${o.out}${o.zip ? ` and ${o.zip}` : ''}\n`);
    });
}
