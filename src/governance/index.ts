// Governance: who may see which rows and columns of the governed tables (gold of one domain; with
// operate.governance.layers including "cleaned" also the silver <source>_<table> tables and their PII), enforced on
// every query.
//   principals + policies (operate.governance) -> per-principal governed views (views.ts)
//   user SQL -> guard: one SELECT over governed tables only, rewritten to those views (sql-guard.ts)
//   every query, allowed or refused, -> audit trail (src/audit)
// On S3/Athena the same policies map to Lake Formation data cells filters (one per owner) and column exclusions.
import type { Context } from '../cli/context.ts';
import type { Row } from '../core/engine.ts';
import { asEventlakeError, EventlakeError } from '../core/errors.ts';
import { redact } from '../core/secrets.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { queriesTotal } from '../operate/metrics.ts';
import { effectivePolicy, findPrincipal, TokenIndex } from './policy.ts';
import { guardSelect, PolicyViolation } from './sql-guard.ts';
import { openGovernedEngine, type GovernedEngine } from './views.ts';

export { TokenIndex, effectivePolicy, findPrincipal } from './policy.ts';
export { guardSelect, PolicyViolation, GOVERNED_SCHEMA } from './sql-guard.ts';

export interface QueryResult {
  principal: string;
  columns: string[];
  rows: Row[];
  truncated: boolean;
  tables: string[];
  auditSeq?: number;
}

/** Loads and checks every principal's policy (unknown policy names fail here, at start). */
export function loadPolicies(app: Context) {
  const cfg = app.loaded.config.operate.governance;
  return cfg.principals.map((p) => effectivePolicy(cfg, p));
}

export class Governance {
  private readonly engines = new Map<string, Promise<GovernedEngine>>();
  readonly audit: AuditLog;

  constructor(readonly app: Context, opts: { audit?: AuditLog } = {}) {
    this.audit = opts.audit ?? new AuditLog(app.storage, app.layout);
    loadPolicies(app);
  }

  private get cfg() {
    return this.app.loaded.config.operate.governance;
  }

  private engineFor(principal: string): Promise<GovernedEngine> {
    let e = this.engines.get(principal);
    if (!e) {
      const p = findPrincipal(this.cfg, principal);
      e = openGovernedEngine(this.app, effectivePolicy(this.cfg, p), this.cfg.domain);
      e.catch(() => this.engines.delete(principal));
      this.engines.set(principal, e);
    }
    return e;
  }

  /** Drops cached engines (call after gold was rebuilt so views see the new table list and columns). */
  async refresh(): Promise<void> {
    const all = [...this.engines.values()];
    this.engines.clear();
    for (const e of all) await (await e.catch(() => undefined))?.engine.close();
  }

  async query(principal: string, sql: string, o: { via?: string; named?: string } = {}): Promise<QueryResult> {
    const detail: Record<string, unknown> = { sql: sql.slice(0, 2000), via: o.via ?? 'api', named: o.named };
    try {
      const g = await this.engineFor(principal);
      const guarded = guardSelect(sql, g.tables, g.deniedFunctions);
      // One connection per principal: queries of a principal run one at a time, so an interrupt hits only its own.
      const run = this.serial(principal, () => this.execute(g, guarded.sql));
      const { rows, truncated } = await run;
      const entry = await this.audit.append({ actor: principal, action: 'query', target: guarded.tables.join(','), outcome: 'ok', detail: { ...detail, rows: rows.length, truncated } });
      queriesTotal.inc({ principal, outcome: 'ok' });
      return { principal, columns: rows[0] ? Object.keys(rows[0]) : [], rows, truncated, tables: guarded.tables, auditSeq: entry.seq };
    } catch (e) {
      const refused = e instanceof PolicyViolation || (e instanceof EventlakeError && e.code === 'PRINCIPAL');
      const err = asEventlakeError(e, 'governance');
      await this.audit.append({ actor: principal, action: refused ? 'query.refused' : 'query.error', outcome: refused ? 'refused' : 'error', detail: { ...detail, reason: redact(err.message) } });
      queriesTotal.inc({ principal, outcome: refused ? 'refused' : 'error' });
      throw err;
    }
  }

  private readonly queues = new Map<string, Promise<unknown>>();

  private serial<T>(principal: string, fn: () => Promise<T>): Promise<T> {
    const p = (this.queues.get(principal) ?? Promise.resolve()).then(fn, fn);
    this.queues.set(principal, p.catch(() => undefined));
    return p;
  }

  private async execute(g: GovernedEngine, sql: string): Promise<{ rows: Row[]; truncated: boolean }> {
    const max = this.cfg.maxRows;
    const rows: Row[] = [];
    let truncated = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      g.engine.interrupt();
    }, this.cfg.queryTimeoutMs);
    try {
      outer: for await (const chunk of g.engine.stream(sql)) {
        for (const r of chunk) {
          if (rows.length >= max) {
            truncated = true;
            break outer;
          }
          rows.push(r);
        }
      }
      return { rows, truncated };
    } catch (e) {
      if (timedOut) {
        throw new EventlakeError(`query interrupted after ${this.cfg.queryTimeoutMs} ms (operate.governance.queryTimeoutMs)`, { step: 'governance', code: 'TIMEOUT', cause: e });
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async named(principal: string, name: string): Promise<QueryResult> {
    const sql = this.cfg.namedQueries[name];
    if (!sql) {
      await this.audit.append({ actor: principal, action: 'query.named', target: name, outcome: 'error', detail: { reason: 'no such named query' } });
      throw new EventlakeError(`no named query ${JSON.stringify(name)}`, { step: 'governance', code: 'NOT_FOUND' });
    }
    return this.query(principal, sql, { named: name });
  }

  /** View definitions for a principal (what `eventlake principals --explain` prints). */
  async explain(principal: string): Promise<Map<string, string>> {
    return (await this.engineFor(principal)).viewSql;
  }

  async close(): Promise<void> {
    await this.refresh();
  }
}

/** One-shot governed query (opens and closes the principal's engine). */
export async function governedQuery(ctx: Context, principal: string, sql: string): Promise<QueryResult> {
  const g = new Governance(ctx);
  try {
    return await g.query(principal, sql, { via: 'cli' });
  } finally {
    await g.close();
  }
}
