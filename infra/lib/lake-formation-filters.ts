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
  rowFilterExpression: string;
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
        const key = `${o.principalArn}\u0000${table}`;
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
          table,
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
