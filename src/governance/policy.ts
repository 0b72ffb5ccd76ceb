// Principals and policies from config (operate.governance), resolved to per-table rules for one principal.
import { createHash, timingSafeEqual } from 'node:crypto';
import { EventlakeError } from '../core/errors.ts';
import type { GovernanceConfig, MaskKind, PrincipalConfig, TablePolicy } from '../config/sections/operate.ts';
import { resolveSecret } from '../operate/secret-ref.ts';

export interface TableRules {
  table: string;
  /** undefined = all rows */
  rowFilters: NonNullable<TablePolicy['rowFilter']>[];
  masks: Record<string, MaskKind>;
  deny: string[];
}

export interface EffectivePolicy {
  principal: PrincipalConfig;
  /** null = every governed table unrestricted (admin) */
  tables: Map<string, TableRules> | null;
}

const MASK_STRENGTH: Record<MaskKind, number> = { 'redact-emails': 0, hash: 1, redact: 2, null: 3 };

export function findPrincipal(cfg: GovernanceConfig, name: string): PrincipalConfig {
  const p = cfg.principals.find((x) => x.name === name);
  if (!p) {
    throw new EventlakeError(`unknown principal ${JSON.stringify(name)}`, { step: 'governance', code: 'PRINCIPAL', next: 'eventlake principals   (lists configured principals)' });
  }
  return p;
}

/** Merges every policy of the principal: masks take the strongest, denies and row filters accumulate. */
export function effectivePolicy(cfg: GovernanceConfig, principal: PrincipalConfig): EffectivePolicy {
  if (principal.admin) return { principal, tables: null };
  const tables = new Map<string, TableRules>();
  for (const pname of principal.policies) {
    const pol = cfg.policies[pname];
    if (!pol) throw new EventlakeError(`principal ${principal.name} names unknown policy ${pname}`, { step: 'config', code: 'CONFIG', next: 'fix operate.governance in eventlake.config.yaml' });
    for (const [table, rule] of Object.entries(pol)) {
      const t = table.toLowerCase();
      const cur = tables.get(t) ?? { table: t, rowFilters: [], masks: {}, deny: [] };
      if (rule.rowFilter) cur.rowFilters.push(rule.rowFilter);
      for (const [col, m] of Object.entries(rule.masks)) {
        const prev = cur.masks[col];
        if (!prev || MASK_STRENGTH[m] > MASK_STRENGTH[prev]) cur.masks[col] = m;
      }
      cur.deny = [...new Set([...cur.deny, ...rule.deny])];
      tables.set(t, cur);
    }
  }
  return { principal, tables };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer tokens per principal, read from env/.env or Secrets Manager; compared in constant time. */
export class TokenIndex {
  private constructor(private readonly entries: { principal: string; hash: Buffer }[]) {}

  static async load(cfg: GovernanceConfig, env: NodeJS.ProcessEnv = process.env): Promise<TokenIndex> {
    const entries: { principal: string; hash: Buffer }[] = [];
    for (const p of cfg.principals) {
      if (!p.token) continue;
      const t = await resolveSecret(p.token, env);
      if (t) entries.push({ principal: p.name, hash: digest(t) });
    }
    return new TokenIndex(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  principalFor(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const h = digest(token);
    let found: string | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.hash, h)) found ??= e.principal;
    return found;
  }
}
