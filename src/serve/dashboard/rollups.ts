// When may a principal's GitHub panels read the per-day rollups (repo_daily, user_daily) instead of fact_events?
// Only when the answer is the same as from fact_events under the principal's policy:
//   repo_daily: granted, row-filtered exactly like fact_events (none, or owner-repos on repo_id), nothing masked or
//               denied among repo_id/dt/event_count/stars;
//   user_daily: granted and fact_events both unfiltered (an owner-users filter would count a user's events in every
//               repo, not only in the owner's), user_id/dt/event_count not masked or denied.
// Admins use both whenever the tables exist.
import type { Context } from '../../cli/context.ts';
import { effectivePolicy, findPrincipal } from '../../governance/index.ts';
import type { TableRules } from '../../governance/policy.ts';
import { goldTables } from '../../governance/views.ts';
import { NO_ROLLUPS, type Rollups } from './panels.ts';

const clean = (t: TableRules | undefined, cols: string[]) => !!t && cols.every((c) => !t.masks[c] && !t.deny.includes(c));
const filters = (t: TableRules | undefined) => JSON.stringify((t?.rowFilters ?? []).map((f) => [f.kind, f.column]).sort());

export function rollupsFor(ctx: Context, principal: string, existing: ReadonlySet<string>): Rollups {
  const cfg = ctx.loaded.config.operate.governance;
  const pol = effectivePolicy(cfg, findPrincipal(cfg, principal));
  const has = (t: string) => existing.has(t);
  if (pol.tables === null) return { repoDaily: has('repo_daily'), userDaily: has('user_daily') };
  const fact = pol.tables.get('fact_events');
  const rd = pol.tables.get('repo_daily');
  const ud = pol.tables.get('user_daily');
  if (!fact) return NO_ROLLUPS;
  const repoDaily =
    has('repo_daily') &&
    clean(rd, ['repo_id', 'dt', 'event_count', 'stars']) &&
    filters(rd) === filters(fact) &&
    (rd!.rowFilters.length === 0 || rd!.rowFilters.every((f) => f.kind === 'owner-repos' && f.column === 'repo_id'));
  const userDaily = has('user_daily') && clean(ud, ['user_id', 'dt', 'event_count']) && ud!.rowFilters.length === 0 && fact.rowFilters.length === 0;
  return { repoDaily, userDaily };
}

/** Gold tables present in the lake, re-listed at most every `ttlMs` (a new table appears without a restart). */
export class GoldTableList {
  private cached?: { at: number; tables: Set<string> };
  constructor(private readonly ctx: Context, private readonly domain: string, private readonly ttlMs = 10_000) {}

  async get(): Promise<Set<string>> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) this.cached = { at: now, tables: new Set((await goldTables(this.ctx, this.domain)).keys()) };
    return this.cached.tables;
  }
}
