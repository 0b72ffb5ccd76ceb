// Lake Formation data cells filters, generated from config. LF row filters cannot refer to the querying principal
// and allow no functions, so "a repo owner sees only their repos" is one filter per owner and table
// (repo_id IN (…)) granted to that owner's principal, with PII columns excluded. Owners with very many repos get
// several filters (LF returns the union of the filters granted to a principal); LF allows at most 100 filter SELECT
// grants per principal per table, which is checked here so a bad config fails at synth, not at deploy.
import type { RepoOwner } from '../../src/config/sections/infra.ts';
import { tableDef } from './catalog-tables.ts';

export const MAX_FILTERS_PER_PRINCIPAL_PER_TABLE = 100;

export interface DataCellsFilterSpec {
  /** Unique per table; letters, digits, _ and - (LF allows up to 255 chars). */
  name: string;
  table: string;
  owner: string;
  principalArn: string;
  /** Undefined = all rows (column-only filter). */
  rowFilterExpression?: string;
  /** PII columns hidden from the owner (only those the table actually has). */
  excludedColumns: string[];
}

export interface FilterOptions {
  tables: string[];
  excludedColumns: string[];
  maxRepoIdsPerFilter: number;
}

export function buildDataCellsFilters(owners: readonly RepoOwner[], opts: FilterOptions): DataCellsFilterSpec[] {
  const seen = new Set<string>();
  for (const o of owners) {
    if (seen.has(o.name)) throw new Error(`infra.lakeFormation.owners: duplicate owner name ${JSON.stringify(o.name)}`);
    seen.add(o.name);
  }
  const out: DataCellsFilterSpec[] = [];
  const perPrincipalTable = new Map<string, number>();
  for (const table of opts.tables) {
    const def = tableDef(table);
    const cols = new Set(def.columns.map(([c]) => c));
    if (!cols.has('repo_id')) throw new Error(`infra.lakeFormation.tables: table ${table} has no repo_id column, so it cannot be filtered per repo owner`);
    const excluded = opts.excludedColumns.filter((c) => cols.has(c));
    for (const o of owners) {
      const ids = [...new Set(o.repoIds)].sort((a, b) => a - b);
      const chunks: number[][] = [];
      for (let i = 0; i < ids.length; i += opts.maxRepoIdsPerFilter) chunks.push(ids.slice(i, i + opts.maxRepoIdsPerFilter));
      chunks.forEach((chunk, i) => {
        const key = `${o.principalArn}\u0000${def.name}`;
        const n = (perPrincipalTable.get(key) ?? 0) + 1;
        if (n > MAX_FILTERS_PER_PRINCIPAL_PER_TABLE) {
          throw new Error(
            `infra.lakeFormation: principal ${o.principalArn} would get ${n} data cells filters on table ${table}; ` +
              `Lake Formation allows ${MAX_FILTERS_PER_PRINCIPAL_PER_TABLE}. Raise maxRepoIdsPerFilter or use separate principals.`,
          );
        }
        perPrincipalTable.set(key, n);
        out.push({
          name: chunks.length === 1 ? `${o.name}_${table}` : `${o.name}_${table}_${i + 1}`,
          table: def.name,
          owner: o.name,
          principalArn: o.principalArn,
          // Integers only (validated by the config schema), so no quoting or injection is possible.
          rowFilterExpression: `repo_id IN (${chunk.join(', ')})`,
          excludedColumns: excluded,
        });
      });
    }
  }
  return out;
}

/** One entry of `eventlake principals --lake-formation <db>` (operate/governance), the CreateDataCellsFilter shape. */
interface ExportedFilter {
  principal: string;
  TableName: string;
  Name: string;
  RowFilter?: { FilterExpression?: string; AllRowsWildcard?: object };
  ColumnWildcard?: { ExcludedColumnNames?: string[] };
}

/**
 * Filters exported by the governance module (`eventlake principals --lake-formation <db> > filters.json`), so the
 * same policies the query API enforces are enforced by Lake Formation. Governance principals are names; the config
 * maps each to the IAM principal ARN that receives the grant (infra.lakeFormation.principalArns).
 */
export function filtersFromExport(data: unknown, principalArns: Record<string, string>, source = 'filters file'): DataCellsFilterSpec[] {
  if (!Array.isArray(data)) throw new Error(`${source}: expected a JSON array (output of eventlake principals --lake-formation <db>)`);
  const out: DataCellsFilterSpec[] = [];
  data.forEach((raw: unknown, i) => {
    const f = raw as ExportedFilter;
    const where = `${source}[${i}]`;
    if (!f || typeof f.principal !== 'string' || typeof f.TableName !== 'string' || typeof f.Name !== 'string') {
      throw new Error(`${where}: needs principal, TableName and Name`);
    }
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(f.Name)) throw new Error(`${where}: filter name ${JSON.stringify(f.Name)} must be letters, digits, _ or -`);
    const arn = principalArns[f.principal];
    if (!arn) throw new Error(`${where}: no IAM principal for governance principal ${JSON.stringify(f.principal)}; add it to infra.lakeFormation.principalArns`);
    const def = tableDef(f.TableName);
    const expr = f.RowFilter?.FilterExpression;
    if (expr === undefined && !f.RowFilter?.AllRowsWildcard) throw new Error(`${where}: RowFilter needs FilterExpression or AllRowsWildcard`);
    const cols = new Set(def.columns.map(([c]) => c));
    out.push({
      name: f.Name,
      table: def.name,
      owner: f.principal,
      principalArn: arn,
      rowFilterExpression: expr,
      excludedColumns: (f.ColumnWildcard?.ExcludedColumnNames ?? []).filter((c) => cols.has(c)),
    });
  });
  return out;
}

/** Checks the Lake Formation limits over all filters, whatever their source (unique names, ≤ 100 per principal per table). */
export function checkFilterLimits(filters: readonly DataCellsFilterSpec[]): void {
  const names = new Set<string>();
  const counts = new Map<string, number>();
  for (const f of filters) {
    const nk = `${f.table}/${f.name}`;
    if (names.has(nk)) throw new Error(`infra.lakeFormation: duplicate data cells filter ${f.name} on table ${f.table}`);
    names.add(nk);
    const ck = `${f.principalArn}\u0000${f.table}`;
    const n = (counts.get(ck) ?? 0) + 1;
    if (n > MAX_FILTERS_PER_PRINCIPAL_PER_TABLE) {
      throw new Error(`infra.lakeFormation: principal ${f.principalArn} would get ${n} data cells filters on table ${f.table}; Lake Formation allows ${MAX_FILTERS_PER_PRINCIPAL_PER_TABLE}.`);
    }
    counts.set(ck, n);
  }
}
