import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import { AuditLog, type AuditEntry } from '../../audit/audit-log.ts';

export function register(reg: Registrar): void {
  const g = reg.group('audit', 'the append-only, hash-chained audit trail (_eventlake/audit/): who queried or changed what');
  g.command('verify')
    .description('recompute the hash chain; exit code 1 and the first broken entry when anything was edited, removed or reordered')
    .action(async (_o, cmd) => {
      const ctx = await reg.context(cmd);
      const v = await new AuditLog(ctx.storage, ctx.layout).verify();
      if (!v.ok) {
        throw new EventlakeError(`audit trail is broken at entry ${v.problem!.seq} (${v.problem!.key ?? ''}): ${v.problem!.reason}`, {
          step: 'audit',
          code: 'TAMPERED',
          next: 'restore _eventlake/audit/ from a backup or S3 object versions and investigate who changed it',
        });
      }
      process.stdout.write(`audit trail ok: ${v.entries} entries, chain intact\n`);
    });
  g.command('tail')
    .description('print the newest audit entries')
    .option('-n, --limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'one JSON entry per line')
    .action(async (o: { limit: number; json?: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const last: AuditEntry[] = [];
      for await (const { entry } of new AuditLog(ctx.storage, ctx.layout).entries()) {
        if (!entry) continue;
        last.push(entry);
        if (last.length > o.limit) last.shift();
      }
      for (const e of last) {
        process.stdout.write(o.json ? JSON.stringify(e) + '\n' : `${e.seq} ${e.at} ${e.actor} ${e.action} ${e.outcome}${e.target ? ` ${e.target}` : ''}\n`);
      }
    });
}
