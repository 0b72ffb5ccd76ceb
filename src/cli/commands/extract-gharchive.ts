import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { EventlakeError, ExitCode } from '../../core/errors.ts';
import { extractGhArchive } from '../../sources/github/gharchive.ts';

export function register(reg: Registrar): void {
  reg
    .group('extract', 'pull data from a source into raw/ (bytes as received, with manifests and checkpoints)')
    .command('gharchive')
    .description(
      'backfill GH Archive hours (https://data.gharchive.org/YYYY-MM-DD-H.json.gz) into raw/github/dt=…/hour=…/\n' +
        'Each file is verified as a whole gzip while it streams, then landed as received with a manifest (bytes, sha256,\n' +
        'lines, first/last created_at, truncated-last-line flag). Hours already done are skipped (use --force to refetch);\n' +
        '404 hours are recorded as gaps (see `eventlake status`); a file still corrupt after retries is quarantined.\n' +
        'Exit codes: 0 all hours landed or missing, 4 some hours failed or were quarantined, 2 usage error.',
    )
    .requiredOption('--start <hour>', 'first hour, YYYY-MM-DDTHH (UTC), inclusive')
    .requiredOption('--end <hour>', 'last hour, YYYY-MM-DDTHH (UTC), inclusive')
    .option('--force', 'refetch hours already checkpointed as done (same keys are replaced, never duplicated)')
    .addOption(new Option('--concurrency <n>', 'hours fetched in parallel (default: github.gharchive.concurrency)').argParser(positiveInt))
    .option('--json', 'print the result as JSON on stdout')
    .action(async (o: { start: string; end: string; force?: boolean; concurrency?: number; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const r = await extractGhArchive(ctx, { start: o.start, end: o.end, force: o.force, concurrency: o.concurrency });
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        process.stdout.write(
          `gharchive ${o.start}..${o.end}: ${r.landed} landed (${(r.bytes / 1e6).toFixed(1)} MB, ${r.lines} events), ${r.skipped} already done, ` +
            `${r.missing.length} missing${r.missing.length ? ` [${r.missing.join(', ')}]` : ''}, ${r.failed.length} failed${r.failed.length ? ` [${r.failed.join(', ')}]` : ''}\n`,
        );
      }
      if (r.failed.length) {
        const err = new EventlakeError(`${r.failed.length} of ${r.hours.length} hours failed: ${r.failed.join(', ')}`, {
          step: 'extract.gharchive',
          code: 'PARTIAL',
          retryable: true,
          next: `eventlake extract gharchive --start ${o.start} --end ${o.end}`,
        });
        throw Object.assign(err, { exitCode: ExitCode.PARTIAL });
      }
    });
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new EventlakeError(`--concurrency must be a positive integer, got ${JSON.stringify(v)}`, { step: 'cli', code: 'USAGE' });
  return n;
}
