import type { Registrar } from '../program.ts';
import { effectivePolicy, findPrincipal, Governance } from '../../governance/index.ts';
import { lakeFormationFilters } from '../../governance/lake-formation.ts';

export function register(reg: Registrar): void {
  reg.program
    .command('principals')
    .summary('list governance principals and their policies')
    .description('list governance principals, their policies (row filters, masked and denied columns) and whether an API token is configured')
    .option('--explain <principal>', "print the governed view SQL the principal's queries run against")
    .option('--lake-formation <database>', 'print the Lake Formation data cells filters (JSON) that enforce the same policies on Athena/Glue')
    .option('--catalog-id <account>', 'TableCatalogId for --lake-formation (default: the caller account)')
    .option('--json', 'print as JSON')
    .action(async (o: { explain?: string; json?: boolean; lakeFormation?: string; catalogId?: string }, cmd) => {
      const ctx = await reg.context(cmd);
      const cfg = ctx.loaded.config.operate.governance;
      if (o.lakeFormation) {
        const filters = await lakeFormationFilters(ctx, { database: o.lakeFormation, catalogId: o.catalogId });
        process.stdout.write(JSON.stringify(filters, null, 2) + '\n');
        return;
      }
      if (o.explain) {
        findPrincipal(cfg, o.explain);
        const g = new Governance(ctx);
        try {
          for (const [t, sql] of await g.explain(o.explain)) process.stdout.write(`-- ${t}\n${sql};\n\n`);
        } finally {
          await g.close();
        }
        return;
      }
      const out = cfg.principals.map((p) => {
        const eff = effectivePolicy(cfg, p);
        return {
          name: p.name,
          owner: p.owner ?? null,
          admin: p.admin,
          token: p.token ? (p.token.env ? `env ${p.token.env}` : `secret ${p.token.secretId}`) : 'none',
          tables:
            eff.tables === null
              ? 'all (admin)'
              : Object.fromEntries(
                  [...eff.tables].map(([t, r]) => [t, { rows: r.rowFilters.map((f) => `${f.kind}(${f.column})`).join(' AND ') || 'all', masks: r.masks, deny: r.deny }]),
                ),
        };
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      if (!out.length) process.stdout.write('no principals configured (operate.governance.principals)\n');
      for (const p of out) {
        process.stdout.write(`${p.name}${p.owner ? ` (owner ${p.owner})` : ''}${p.admin ? ' [admin]' : ''}  token: ${p.token}\n`);
        if (typeof p.tables === 'string') process.stdout.write(`    ${p.tables}\n`);
        else
          for (const [t, r] of Object.entries(p.tables)) {
            const masks = Object.entries(r.masks).map(([c, m]) => `${c}:${m}`).join(', ');
            process.stdout.write(`    ${t.padEnd(14)} rows: ${r.rows}${masks ? `  masked: ${masks}` : ''}${r.deny.length ? `  denied: ${r.deny.join(', ')}` : ''}\n`);
          }
      }
    });
}
