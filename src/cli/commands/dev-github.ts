import { resolve } from 'node:path';
import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import { startGithubDevServers, type Fault } from '../../sources/github/dev-servers.ts';
import { writeGharchiveSample } from '../../sources/github/generate.ts';
import { hoursBetween, parseHour } from '../../lake/hours.ts';

export function register(reg: Registrar): void {
  const dev = reg.group('dev', 'local stand-ins for the real services (for tests, demos and offline work)');
  dev
    .command('github-servers')
    .description(
      'serve GH Archive hour files and a GitHub Events API on 127.0.0.1 until interrupted:\n' +
        '  <url>/gharchive/YYYY-MM-DD-H.json.gz  (files from --data; 404 for missing hours)\n' +
        '  <url>/api/events, /api/repos/{o}/{r}/events, /api/orgs/{org}/events, /api/users/{u}/events\n' +
        '    (ETag/304, Link pagination up to 300 events, X-Poll-Interval, x-ratelimit-* headers)\n' +
        'Point eventlake at them with EVENTLAKE_CFG__github__gharchive__baseUrl=<url>/gharchive and\n' +
        'EVENTLAKE_CFG__github__api__baseUrl=<url>/api.',
    )
    .addOption(new Option('--port <n>', 'port (0 = any free port)').default(0).argParser(Number))
    .option('--data <dir>', 'folder with GH Archive hour files', 'samples/github/gharchive')
    .option('--token <value>', 'require this bearer token on the Events API (default: $GITHUB_DEV_TOKEN, else none)')
    .addOption(new Option('--poll-interval <sec>', 'X-Poll-Interval sent by the Events API').default(60).argParser(Number))
    .addOption(new Option('--tick <ms>', 'add 20 new events to the Events API feed every <ms> milliseconds').argParser(Number))
    .option('--faults <json>', 'fault injection, e.g. \'[{"target":"2026-11-01-3.json.gz","kind":"503","times":2}]\' (kinds: 500 502 503 429 truncate corrupt stall)')
    .action(async (o: { port: number; data: string; token?: string; pollInterval: number; tick?: number; faults?: string }) => {
      let faults: Fault[] | undefined;
      if (o.faults) {
        try {
          faults = JSON.parse(o.faults) as Fault[];
        } catch (e) {
          throw new EventlakeError(`--faults is not valid JSON: ${(e as Error).message}`, { step: 'cli', code: 'USAGE' });
        }
      }
      const s = await startGithubDevServers({
        port: o.port,
        dataDir: resolve(o.data),
        token: o.token ?? process.env.GITHUB_DEV_TOKEN,
        pollIntervalSec: o.pollInterval,
        faults,
        tick: o.tick ? { everyMs: o.tick, count: 20 } : undefined,
      });
      process.stdout.write(`gharchive: ${s.gharchiveUrl}\napi: ${s.apiUrl}\n`);
      await new Promise<void>((r) => {
        process.once('SIGINT', r);
        process.once('SIGTERM', r);
      });
      await s.close();
    });

  dev
    .command('generate-github')
    .description('write generated GH Archive hour files (realistic events, trimmed payloads since 2025-10-07, bots, duplicate ids)')
    .requiredOption('--out <dir>', 'output folder')
    .requiredOption('--start <hour>', 'first hour, YYYY-MM-DDTHH (UTC)')
    .requiredOption('--end <hour>', 'last hour, YYYY-MM-DDTHH (UTC), inclusive')
    .addOption(new Option('--per-hour <n>', 'events per hour').default(300).argParser(Number))
    .addOption(new Option('--seed <n>', 'random seed').default(42).argParser(Number))
    .addOption(new Option('--truncate-hour <i...>', 'hour indexes (0-based) whose last line is cut').argParser((v: string, prev: number[] = []) => [...prev, Number(v)]))
    .action(async (o: { out: string; start: string; end: string; perHour: number; seed: number; truncateHour?: number[] }) => {
      const hours = hoursBetween(parseHour(o.start, '--start'), parseHour(o.end, '--end'));
      const names = await writeGharchiveSample({ dir: resolve(o.out), startHourMs: hours[0]!, hours: hours.length, perHour: o.perHour, seed: o.seed, truncateLastLineIn: o.truncateHour, duplicatesPerHour: 3 });
      process.stdout.write(`wrote ${names.length} files to ${resolve(o.out)}\n`);
    });
}
