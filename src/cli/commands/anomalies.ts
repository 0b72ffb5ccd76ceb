import type { Registrar } from '../program.ts';
import { createAlerter } from '../../operate/alerts.ts';
import { runAnomalyCheck } from '../../operate/anomalies.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('anomalies')
    .summary('flag unusual daily event counts (robust z-score)')
    .description(
      'flag unusual daily event counts per event type in gold fact_events with a robust z-score\n' +
        '(z = 0.6745·(count − median)/MAD over the previous baseline days; |z| > threshold is flagged, with an explanation).\n' +
        'The report is stored for the dashboard under _eventlake/state/anomalies/<source>.json.',
    )
    .option('-s, --source <name>', 'source / gold domain', 'github')
    .option('--since <dt>', 'only show (and alert on) flags from this day on (YYYY-MM-DD)')
    .option('--baseline-days <n>', 'trailing days forming the baseline (default operate.anomalies.baselineDays)', (v) => Number.parseInt(v, 10))
    .option('--threshold <z>', 'robust z threshold (default operate.anomalies.threshold)', Number.parseFloat)
    .option('--alert', 'send flagged days to the configured Slack webhook / SNS topic')
    .option('--json', 'print the report as JSON')
    .action(async (o: { source: string; since?: string; baselineDays?: number; threshold?: number; alert?: boolean; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const alerter = o.alert ? await createAlerter(ctx.loaded.config.operate.alerts, { storage: ctx.storage, layout: ctx.layout, log: ctx.log }) : undefined;
      try {
        const r = await runAnomalyCheck(ctx, o.source, { alerter, alertSince: o.since, baselineDays: o.baselineDays, threshold: o.threshold });
        const shown = r.anomalies.filter((a) => !o.since || a.dt >= o.since);
        if (o.json) process.stdout.write(JSON.stringify({ ...r, anomalies: shown }, null, 2) + '\n');
        else {
          for (const a of shown) process.stdout.write(`${a.direction === 'drop' ? 'DROP ' : 'SPIKE'} ${a.explanation}\n`);
          process.stdout.write(`${shown.length} anomalies in ${r.days} days of ${o.source} gold\n`);
        }
      } finally {
        alerter?.close();
      }
    });
}
