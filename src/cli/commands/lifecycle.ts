import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { archiveRaw, restoreRaw, type LifecycleResult } from '../../operate/lifecycle.ts';
import { userInfo } from 'node:os';

function print(r: LifecycleResult, verb: string, limit = 50): void {
  const mb = (r.bytes / 1e6).toFixed(1);
  for (const m of r.moved.slice(0, limit)) process.stdout.write(`  ${m.key} -> ${m.to}\n`);
  if (r.moved.length > limit) process.stdout.write(`  … and ${r.moved.length - limit} more\n`);
  for (const k of r.kept.slice(0, limit)) process.stdout.write(`  kept ${k.key}: ${k.reason}\n`);
  process.stdout.write(`${r.mode}: ${r.moved.length} objects (${mb} MB) ${verb}${r.cutoffDt ? ` (raw days before ${r.cutoffDt})` : ''}; ${r.kept.length} kept\n`);
  if (r.mode === 'managed-by-s3-rule') process.stdout.write('on S3 the bucket lifecycle rule (CDK stack) transitions raw/ to the archive tier; nothing was moved\n');
}

export function register(reg: Registrar): void {
  reg.program
    .command('lifecycle')
    .argument('[action]', 'apply (default) or restore', 'apply')
    .summary('archive old raw objects (or restore them)')
    .description(
      'archive raw objects older than N days (default operate.lifecycle.rawArchiveAfterDays = 90), or restore them.\n' +
        'Locally they move to the archive/ prefix; on S3 the bucket lifecycle rule does it. Never touches python-import/\n' +
        'and never archives a raw day that has not been transformed yet. Every apply/restore is written to the audit trail.',
    )
    .option('--dry-run', 'list what would move, move nothing')
    .option('--days <n>', 'age threshold in days (by the dt= partition)', (v) => Number.parseInt(v, 10))
    .option('--source <name>', 'only this source (e.g. github, amplitude)')
    .option('--from <dt>', 'restore: first day (YYYY-MM-DD)')
    .option('--to <dt>', 'restore: last day (YYYY-MM-DD)')
    .action(async (action: string, o: { dryRun?: boolean; days?: number; source?: string; from?: string; to?: string }, cmd) => {
      if (action !== 'apply' && action !== 'restore') throw new EventlakeError(`unknown lifecycle action ${action}: use apply or restore`, { step: 'lifecycle', code: 'USAGE' });
      if (o.days !== undefined && !(o.days >= 1)) throw new EventlakeError('--days must be a positive integer', { step: 'lifecycle', code: 'USAGE' });
      const ctx = await reg.context(cmd);
      const audit = new AuditLog(ctx.storage, ctx.layout);
      const actor = `cli:${userInfo().username}`;
      if (action === 'apply') print(await archiveRaw(ctx, { dryRun: o.dryRun, days: o.days, source: o.source, audit, actor }), o.dryRun ? 'would move to archive' : 'moved to archive');
      else print(await restoreRaw(ctx, { dryRun: o.dryRun, source: o.source, fromDt: o.from, toDt: o.to, audit, actor }), o.dryRun ? 'would be restored' : 'restored');
    });
}
