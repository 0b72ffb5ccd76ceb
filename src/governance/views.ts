// Governed views: for one principal, an in-memory DuckDB whose schema "governed" holds one view per visible governed
// table — gold aggregated/<domain>/<table>/ (named <table>) and, with operate.governance.layers including "cleaned",
// silver cleaned/<source>/<table>/ (named <source>_<table>, as in `eventlake query`) — with the principal's row
// filters and column masks baked in. After the views exist the engine is locked down: file access only below the
// governed folders, external access off, configuration frozen — so even SQL that slipped past the guard cannot read
// other files or change settings.
import type { Context } from '../cli/context.ts';
import { EventlakeError } from '../core/errors.ts';
import { DuckDbEngine, sqlIdent, sqlString } from '../engines/duckdb/duckdb-engine.ts';
import { GOVERNED_SCHEMA } from './sql-guard.ts';
import type { EffectivePolicy, TableRules } from './policy.ts';
import type { MaskKind } from '../config/sections/operate.ts';

export interface GovernedEngine {
  engine: DuckDbEngine;
  tables: Set<string>;
  /** Table and pragma functions of the engine: never allowed in governed SQL. */
  deniedFunctions: Set<string>;
  /** The SQL of each view (for `eventlake principals --explain`). */
  viewSql: Map<string, string>;
}

export async function goldTables(app: Context, domain: string): Promise<Map<string, string>> {
  const prefix = `${app.layout.prefixes.aggregated}/${domain}/`;
  const root = app.storage.localPath(prefix.replace(/\/$/, ''));
  if (!root) {
    throw new EventlakeError('governed queries run on the embedded engine, which needs local storage', { step: 'governance', code: 'UNSUPPORTED', next: 'use Lake Formation data cells filters with Athena on S3 (see README "Governance")' });
  }
  const tables = new Map<string, string>();
  for await (const o of app.storage.list(prefix)) {
    if (!o.key.endsWith('.parquet')) continue;
    const t = o.key.slice(prefix.length).split('/')[0]!;
    if (/^[a-z_][a-z0-9_]*$/i.test(t)) tables.set(t.toLowerCase(), `${root}/${t}`);
  }
  return tables;
}

/**
 * Every governed table of the configured layers: name -> folder. Gold names win over a cleaned table of the same
 * name (the gold names are the established API).
 */
export async function governedTables(app: Context, domain: string, layers: readonly ('aggregated' | 'cleaned')[]): Promise<Map<string, string>> {
  const out = layers.includes('aggregated') ? await goldTables(app, domain) : new Map<string, string>();
  if (layers.includes('cleaned')) {
    for (const [name, dir] of await cleanedTables(app)) if (!out.has(name)) out.set(name, dir);
  }
  return out;
}

/** Silver tables cleaned/<source>/<table>/ as <source>_<table> -> folder. */
export async function cleanedTables(app: Context): Promise<Map<string, string>> {
  const prefix = `${app.layout.prefixes.cleaned}/`;
  const root = app.storage.localPath(app.layout.prefixes.cleaned);
  if (!root) {
    throw new EventlakeError('governed queries run on the embedded engine, which needs local storage', { step: 'governance', code: 'UNSUPPORTED', next: 'use Lake Formation data cells filters with Athena on S3 (see README "Governance")' });
  }
  const tables = new Map<string, string>();
  for await (const o of app.storage.list(prefix)) {
    if (!o.key.endsWith('.parquet')) continue;
    const [source, table, ...rest] = o.key.slice(prefix.length).split('/');
    if (!source || !table || rest.length === 0) continue;
    const name = `${source}_${table}`;
    if (/^[a-z_][a-z0-9_]*$/i.test(name)) tables.set(name.toLowerCase(), `${root}/${source}/${table}`);
  }
  return tables;
}

const src = (dir: string) => `read_parquet(${sqlString(`${dir}/**/*.parquet`)}, union_by_name = true, hive_partitioning = true)`;

// Email-like text: local@domain.tld. Its characters exclude '"', '\\' and JSON punctuation, so inside JSON text a
// match never spans two tokens and the replacement (no quotes, no backslashes) keeps the document valid. The '@' may
// be written as the JSON escape \u0040.
export const EMAIL_RE = '[A-Za-z0-9._%+-]+(?:@|\\\\u0040)[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}';
// A JSON member whose key contains "email"/"e-mail" and whose value is a string: "key": "value". Between tokens JSON
// has only punctuation, whitespace, numbers and true/false/null, so a match always starts at a real key.
const EMAIL_KEY_RE = '(?i)"((?:[^"\\\\]|\\\\.)*e-?mail(?:[^"\\\\]|\\\\.)*)"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"';
export const REDACTED_EMAIL = '[redacted-email]';

/** SQL that redacts emails in the text (or JSON text) of `c`, keeping the column's type. */
export function redactEmailsExpr(c: string, type: string): string {
  const keyed = `regexp_replace(CAST(${c} AS VARCHAR), ${sqlString(EMAIL_KEY_RE)}, ${sqlString(`"\\1":"${REDACTED_EMAIL}"`)}, 'g')`;
  return `CAST(regexp_replace(${keyed}, ${sqlString(EMAIL_RE)}, ${sqlString(REDACTED_EMAIL)}, 'g') AS ${type})`;
}

function maskExpr(col: string, type: string, mask: MaskKind): string {
  const c = sqlIdent(col);
  if (mask === 'redact-emails') return `CASE WHEN ${c} IS NULL THEN NULL ELSE ${redactEmailsExpr(c, type)} END AS ${c}`;
  if (mask === 'null') return `CAST(NULL AS ${type}) AS ${c}`;
  if (mask === 'hash') return `CASE WHEN ${c} IS NULL THEN NULL ELSE md5(CAST(${c} AS VARCHAR)) END AS ${c}`;
  return `CASE WHEN ${c} IS NULL THEN NULL ELSE '***' END AS ${c}`;
}

function filterExpr(rules: TableRules, owner: string | undefined, dirs: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const f of rules.rowFilters) {
    const repoDir = dirs.get('dim_repo');
    if (owner === undefined || !repoDir) {
      out.push('FALSE'); // no owner (or no dim_repo to know ownership): nothing is visible
      continue;
    }
    const owned = `SELECT repo_id FROM ${src(repoDir)} WHERE owner_login = ${sqlString(owner)}`;
    if (f.kind === 'owner-repos') out.push(`${sqlIdent(f.column)} IN (${owned})`);
    else {
      const factDir = dirs.get('fact_events');
      out.push(factDir ? `${sqlIdent(f.column)} IN (SELECT DISTINCT user_id FROM ${src(factDir)} WHERE repo_id IN (${owned}))` : 'FALSE');
    }
  }
  return out;
}

export async function openGovernedEngine(app: Context, policy: EffectivePolicy, domain: string): Promise<GovernedEngine> {
  const layers = app.loaded.config.operate.governance.layers;
  const dirs = await governedTables(app, domain, layers);
  // Row filters look ownership up in gold (dim_repo, fact_events), also when only the cleaned layer is governed.
  const gold = layers.includes('aggregated') ? dirs : await goldTables(app, domain);
  const engine = await DuckDbEngine.open({ memoryLimit: app.loaded.config.engine.duckdb.memoryLimit });
  const viewSql = new Map<string, string>();
  try {
    await engine.run(`CREATE SCHEMA ${GOVERNED_SCHEMA}`);
    for (const [table, dir] of dirs) {
      const rules = policy.tables === null ? { table, rowFilters: [], masks: {}, deny: [] } : policy.tables.get(table);
      if (!rules) continue; // not granted: the table does not exist for this principal
      const cols = await engine.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${src(dir)}`);
      const select = cols
        .filter((c) => !rules.deny.includes(c.column_name))
        .map((c) => (rules.masks[c.column_name] ? maskExpr(c.column_name, c.column_type, rules.masks[c.column_name]!) : sqlIdent(c.column_name)));
      if (!select.length) continue;
      const where = filterExpr(rules, policy.principal.owner, gold);
      const sql = `CREATE VIEW ${GOVERNED_SCHEMA}.${sqlIdent(table)} AS SELECT ${select.join(', ')} FROM ${src(dir)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
      await engine.run(sql);
      viewSql.set(table, sql);
    }
    const denied = new Set(
      (await engine.all<{ name: string }>(`SELECT DISTINCT function_name AS name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro', 'pragma')`)).map((r) => r.name.toLowerCase()),
    );
    // Row filters read gold dim_repo/fact_events even when only cleaned tables are governed.
    const roots = [app.storage.localPath(`${app.layout.prefixes.aggregated}/${domain}`)!];
    if (layers.includes('cleaned')) roots.push(app.storage.localPath(app.layout.prefixes.cleaned)!);
    await engine.run(`SET allowed_directories = [${roots.map((r) => sqlString(r + '/')).join(', ')}]`);
    await engine.run(`SET enable_external_access = false`);
    await engine.run(`SET lock_configuration = true`);
    return { engine, tables: new Set(viewSql.keys()), deniedFunctions: denied, viewSql };
  } catch (e) {
    await engine.close();
    throw e;
  }
}
