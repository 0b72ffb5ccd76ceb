// The same policies for S3 + Athena/Glue: Lake Formation data cells filters. LF row filters cannot refer to the
// querying principal, other tables or functions, so "owner sees only their repos" becomes one filter per principal
// and table with the owner's ids spelled out (repo_id IN (…)), computed from gold dim_repo/fact_events now — rerun
// after ownership changes. LF cannot hash or blank a column, so masked columns are excluded like denied ones
// (stricter, never weaker). Output matches the CreateDataCellsFilter TableData shape; grant each filter to the
// principal's IAM role.
import type { Context } from '../cli/context.ts';
import { sqlString } from '../engines/duckdb/duckdb-engine.ts';
import { effectivePolicy } from './policy.ts';
import { openGovernedEngine } from './views.ts';

export interface DataCellsFilter {
  principal: string;
  TableCatalogId?: string;
  DatabaseName: string;
  TableName: string;
  Name: string;
  RowFilter: { FilterExpression: string } | { AllRowsWildcard: Record<string, never> };
  ColumnWildcard: { ExcludedColumnNames: string[] };
}

export async function lakeFormationFilters(app: Context, o: { database: string; catalogId?: string }): Promise<DataCellsFilter[]> {
  const cfg = app.loaded.config.operate.governance;
  const out: DataCellsFilter[] = [];
  // Ids are read through the admin view of gold (no filters), then frozen into each owner's expression.
  const admin = await openGovernedEngine(app, { principal: { name: '(lake-formation export)', admin: true, policies: [] }, tables: null }, cfg.domain);
  try {
    const ids = async (sql: string) => (await admin.engine.all<{ id: number | string }>(sql)).map((r) => r.id);
    for (const p of cfg.principals) {
      const eff = effectivePolicy(cfg, p);
      if (eff.tables === null) continue; // admins get plain table grants, not filters
      for (const [table, rules] of eff.tables) {
        if (!admin.tables.has(table)) continue;
        const clauses: string[] = [];
        for (const f of rules.rowFilters) {
          const owned = p.owner === undefined ? [] : await ids(`SELECT DISTINCT repo_id AS id FROM governed.dim_repo WHERE owner_login = ${sqlString(p.owner)} ORDER BY 1`);
          let list = owned;
          if (f.kind === 'owner-users') {
            list = owned.length && admin.tables.has('fact_events') ? await ids(`SELECT DISTINCT user_id AS id FROM governed.fact_events WHERE repo_id IN (${owned.join(', ')}) ORDER BY 1`) : [];
          }
          // Names are plain identifiers from config; LF expressions take PartiQL-like SQL without quoting needs here.
          clauses.push(list.length ? `${f.column} IN (${list.map((x) => (typeof x === 'number' ? String(x) : sqlString(String(x)))).join(', ')})` : '1 = 0');
        }
        out.push({
          principal: p.name,
          ...(o.catalogId ? { TableCatalogId: o.catalogId } : {}),
          DatabaseName: o.database,
          TableName: table,
          Name: `eventlake_${p.name}_${table}`.replace(/[^A-Za-z0-9_]/g, '_'),
          RowFilter: clauses.length ? { FilterExpression: clauses.join(' AND ') } : { AllRowsWildcard: {} },
          ColumnWildcard: { ExcludedColumnNames: [...new Set([...rules.deny, ...Object.keys(rules.masks)])].sort() },
        });
      }
    }
    return out;
  } finally {
    await admin.engine.close();
  }
}
