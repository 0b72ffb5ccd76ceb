import type { Registrar } from '../program.ts';
import { log } from '../../core/log.ts';
import { assertDemoHealthy, runDemo } from '../../demo/run-demo.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('demo')
    .description(
      'run the main job end to end on the embedded default, with no servers to install and no network:\n' +
        'starts a local Amplitude Export API and GH Archive server on 127.0.0.1 that serve the bundled samples\n' +
        '(samples/, in the real formats), then extract → transform → aggregate → load DuckDB → reports, through\n' +
        'the same code as production. Rerunning replaces the same partitions (never duplicates).',
    )
    .addHelpText('after', '\nUsage: eventlake demo [--lake ./demo-lake]\nAfterwards: eventlake query "…" --lake ./demo-lake, eventlake report --list, eventlake serve --lake ./demo-lake')
    .option('-v, --verbose', 'show info logs (default: warnings only; EVENTLAKE_LOG_LEVEL wins)')
    .action(async (o: { verbose?: boolean }, cmd) => {
      // The global --lake picks the folder; the demo's default is ./demo-lake rather than lake.root.
      const g = cmd.optsWithGlobals() as { config?: string; lake?: string };
      if (!process.env.EVENTLAKE_LOG_LEVEL && !o.verbose) log.level = 'warn';
      const summary = await runDemo({ lake: g.lake ?? './demo-lake', config: g.config });
      assertDemoHealthy(summary);
    });
}
