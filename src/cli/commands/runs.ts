import type { Registrar } from '../program.ts';
import { RunHistory, type RunRecord } from '../../pipeline/history.ts';

const secs = (ms?: number) => (ms === undefined ? '-' : ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

export function formatRun(r: RunRecord, withSteps = false): string {
  const head = `${r.status.toUpperCase().padEnd(9)} ${r.pipeline} ${r.window}  run ${r.runId}  ${r.trigger}  ${secs(r.durationMs)}${r.resumedFrom ? `  (resumed ${r.resumedFrom})` : ''}`;
  const lines = [head];
  if (withSteps || r.status !== 'succeeded') {
    for (const s of r.steps) {
      const tries = s.attempts.length > 1 ? ` ${s.attempts.length} attempts` : '';
      const rows = s.rows !== undefined ? ` ${s.rows} rows` : '';
      lines.push(`    ${s.id.padEnd(16)} ${s.status.padEnd(9)} ${secs(s.durationMs)}${tries}${rows}`);
    }
  }
  if (r.error) lines.push(`    error at ${r.error.step}: ${r.error.message}`, `    next: ${r.error.next}`);
  return lines.join('\n');
}

export function register(reg: Registrar): void {
  reg.program
    .command('runs')
    .summary('show pipeline run history')
    .description('show pipeline run history (newest first): status, durations, attempts, rows, errors and the command to rerun a failed run')
    .option('-p, --pipeline <name>', 'only this pipeline')
    .option('-n, --limit <n>', 'how many runs', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'print run records as JSON')
    .action(async (o: { pipeline?: string; limit: number; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const runs = await new RunHistory(ctx.storage, ctx.layout).list({ pipeline: o.pipeline, limit: o.limit });
      if (o.json) process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
      else process.stdout.write(runs.length ? runs.map((r) => formatRun(r)).join('\n') + '\n' : 'no runs recorded yet (start one with: eventlake run <pipeline>)\n');
    });
}
