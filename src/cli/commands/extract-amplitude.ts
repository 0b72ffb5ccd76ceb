import { Option } from 'commander';
import type { Registrar } from '../program.ts';

// The source is imported inside the actions so that `eventlake --help` and other commands start fast.
const amplitude = () => import('../../sources/amplitude/index.ts');
import { EventlakeError } from '../../core/errors.ts';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new EventlakeError(`${name} must be a positive integer, got ${JSON.stringify(v)}`, { step: 'cli', code: 'USAGE' });
  return n;
};

export function register(reg: Registrar): void {
  const g = reg.group('extract', 'pull data from a source into the raw (bronze) layer of the lake');
  g.command('amplitude')
    .description(
      'download Amplitude Export API windows (hours of server_upload_time, both ends inclusive) into ' +
        'raw/amplitude/dt=YYYY-MM-DD/hour=HH/*.json.gz, byte for byte, with a manifest per window. ' +
        'Resumable: hours already landed are skipped; a rerun never duplicates.',
    )
    .requiredOption('--start <hour>', 'first hour, UTC, YYYY-MM-DDTHH (e.g. 2026-11-01T00)')
    .requiredOption('--end <hour>', 'last hour, UTC, inclusive (e.g. 2026-11-02T23)')
    .option('--force', 'also export hours younger than amplitude.minAgeHours (data may still be arriving; they are re-fetched by the next run)')
    .addOption(new Option('--concurrency <n>', 'windows downloaded at the same time (default amplitude.concurrency)').argParser(positiveInt('--concurrency')))
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      `
Credentials come from the environment (or .env): AMPLITUDE_API_KEY and AMPLITUDE_SECRET_KEY
(names configurable: amplitude.apiKeyEnv / amplitude.secretKeyEnv). Region: amplitude.region us|eu,
or amplitude.baseUrl for a proxy or the local dev server (eventlake dev amplitude-server).

HTTP handling: 404 = empty window (recorded); 400/504 = window split in halves down to 1 h;
429/5xx/timeouts/non-zip bodies/corrupt downloads = retried with backoff + jitter (amplitude.retry);
401/403 = stops with an auth/region error.

Exit codes: 0 all windows landed or empty, 4 some windows failed (rerun the same command to retry
only those), 1 nothing landed, 2 usage (e.g. hours younger than amplitude.minAgeHours without --force).

Example:
  eventlake extract amplitude --start 2026-11-01T00 --end 2026-11-02T23 --concurrency 4`,
    )
    .action(async (o: { start: string; end: string; force?: boolean; concurrency?: number; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const s = await (await amplitude()).extractAmplitude(ctx, { start: o.start, end: o.end, force: o.force, concurrency: o.concurrency });
      if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else {
        const lines = [
          `amplitude ${s.start}..${s.end}: ${s.hours.total} hours — ${s.hours.done} landed, ${s.hours.empty} empty, ${s.hours.skipped} already done, ${s.hours.failed} failed`,
          `  ${s.entries} files, ${s.bytes} bytes, ${s.events} events -> ${ctx.storage.uri(ctx.layout.rawPrefix('amplitude').replace(/\/$/, ''))}`,
          ...s.windows.filter((w) => w.status === 'failed').map((w) => `  FAILED ${w.window}: ${w.error?.code ?? ''} ${w.error?.message ?? ''}`),
        ];
        if (s.hours.failed) lines.push(`  next: eventlake extract amplitude --start ${s.start} --end ${s.end}   (retries only the failed hours)`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      process.exitCode = s.exitCode;
    });
}
