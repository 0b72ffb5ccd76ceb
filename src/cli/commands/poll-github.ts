import { Option } from 'commander';
import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import { pollGithub } from '../../sources/github/events-api.ts';

export function register(reg: Registrar): void {
  reg
    .group('poll', 'poll a live source and land new events in raw/')
    .command('github')
    .description(
      'poll the GitHub Events API and land new events as gzip NDJSON in raw/github/dt=…/hour=…/api-….json.gz\n' +
        'Uses the token in $GITHUB_TOKEN when set (github.api.tokenEnv), If-None-Match/ETag (a 304 costs no quota),\n' +
        'waits X-Poll-Interval between polls, sleeps until x-ratelimit-reset when the quota is used up, follows Link\n' +
        'pagination up to the 300-event window and skips ids it has already seen (state in _eventlake/state/github/).\n' +
        'Runs until interrupted (Ctrl-C finishes the current poll), or once with --once.\n' +
        'Exit codes: 0 ok, 1 failure (401 bad token, 403 forbidden, 404 unknown scope), 2 usage error.',
    )
    .option('--once', 'poll once and exit')
    .option('--scope <scope>', 'events (public timeline), repos/<owner>/<repo>, orgs/<org> or users/<user> (default: github.api.scope)')
    .option('--repo <owner/repo>', 'same as --scope repos/<owner>/<repo>')
    .option('--org <org>', 'same as --scope orgs/<org>')
    .option('--user <user>', 'same as --scope users/<user>')
    .option('--public', 'same as --scope events')
    .addOption(new Option('--max-polls <n>', 'stop after n polls').argParser(Number))
    .option('--json', 'print the result as JSON on stdout')
    .action(async (o: { once?: boolean; scope?: string; repo?: string; org?: string; user?: string; public?: boolean; maxPolls?: number; json?: boolean }, cmd) => {
      const picked = [o.scope, o.repo && `repos/${o.repo}`, o.org && `orgs/${o.org}`, o.user && `users/${o.user}`, o.public && 'events'].filter(Boolean) as string[];
      if (picked.length > 1) throw new EventlakeError('choose one of --scope, --repo, --org, --user, --public', { step: 'cli', code: 'USAGE' });
      const ctx = await reg.context(cmd);
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const r = await pollGithub(ctx, { once: o.once, scope: picked[0], maxPolls: o.maxPolls, signal: ac.signal });
        if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else
          process.stdout.write(
            `poll ${r.scope}: ${r.polls} poll(s), ${r.requests} request(s), ${r.notModified} not modified, ${r.newEvents} new events, ${r.duplicates} already seen, ${r.batches.length} batch(es)\n`,
          );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
