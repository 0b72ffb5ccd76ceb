// Snowflake SQL generation: templates live in models/snowflake/**/*.sql with {{name}} placeholders; this module
// renders them with values that were quoted here (identifiers) or escaped here (literals), never raw input.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AMPLITUDE_COLUMNS } from './amplitude-columns.ts';

export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models', 'snowflake');

/** A fragment that is safe to splice into SQL (built only by the helpers below). */
export class Sql {
  private constructor(readonly text: string) {}
  static trusted(text: string): Sql {
    return new Sql(text);
  }
  toString(): string {
    return this.text;
  }
}

const PLAIN = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Quotes one identifier. Plain names (what users would type unquoted) are upper-cased first, so "AMPLITUDE_RAW"
 * is the same object as unquoted amplitude_raw; anything else keeps its case and has '"' doubled.
 */
export function ident(name: string): Sql {
  if (!name || name.includes('\0')) throw new Error(`invalid Snowflake identifier ${JSON.stringify(name)}`);
  const n = PLAIN.test(name) ? name.toUpperCase() : name;
  return Sql.trusted(`"${n.replace(/"/g, '""')}"`);
}

/** db.schema.name, each part quoted. */
export function qualified(...parts: string[]): Sql {
  return Sql.trusted(parts.map((p) => ident(p).text).join('.'));
}

/** A single-quoted string literal: Snowflake processes backslash escapes in '…', so both ' and \ are escaped. */
export function literal(value: string): Sql {
  if (value.includes('\0')) throw new Error('NUL in SQL literal');
  return Sql.trusted(`'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
}

/** COPY ON_ERROR value, validated; the percentage form must be quoted. */
export function onErrorValue(v: string): Sql {
  const u = v.toUpperCase();
  if (!/^(CONTINUE|SKIP_FILE|SKIP_FILE_\d+%?|ABORT_STATEMENT)$/.test(u)) throw new Error(`invalid ON_ERROR ${JSON.stringify(v)}`);
  return Sql.trusted(u.endsWith('%') ? `'${u}'` : u);
}

/** Renders a template; a placeholder without a value is an error (catches typos in templates). */
export function render(template: string, values: Record<string, Sql>, name = 'template'): string {
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_m, k: string) => {
    const v = values[k];
    if (!v) throw new Error(`${name}: no value for {{${k}}}`);
    return v.text;
  });
}

/** Splits a rendered file into statements: ';' at the end of a line ends one; '--' comment lines are dropped. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line) || (!line.trim() && cur.length === 0)) continue;
    cur.push(line);
    if (/;\s*$/.test(line)) {
      out.push(cur.join('\n').replace(/;\s*$/, '').trim());
      cur = [];
    }
  }
  if (cur.join('').trim()) out.push(cur.join('\n').trim());
  return out;
}

export function readTemplate(rel: string): string {
  return readFileSync(join(TEMPLATE_DIR, rel), 'utf8');
}

export function templatesIn(dir: string): string[] {
  return readdirSync(join(TEMPLATE_DIR, dir))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

export interface SnowflakeNames {
  database: string;
  schema: string;
  integration: string;
  stage: string;
  fileFormat: string;
  rawTable: string;
  typedTable: string;
  /** Role Snowflake assumes to read the bucket. */
  roleArn?: string;
  /** s3://bucket/prefix/python-import/ */
  stageUrl: string;
  /** Path below the stage URL, e.g. "amplitude/". */
  sourcePath: string;
}

export interface Statement {
  /** Template it came from, e.g. "setup/04_stage.sql". */
  template: string;
  sql: string;
}

function baseValues(n: SnowflakeNames): Record<string, Sql> {
  const cols = AMPLITUDE_COLUMNS;
  return {
    database: ident(n.database),
    schema: qualified(n.database, n.schema),
    integration: ident(n.integration),
    stage: qualified(n.database, n.schema, n.stage),
    file_format: qualified(n.database, n.schema, n.fileFormat),
    file_format_name: literal(qualified(n.database, n.schema, n.fileFormat).text),
    raw_table: qualified(n.database, n.schema, n.rawTable),
    typed_table: qualified(n.database, n.schema, n.typedTable),
    stage_url: literal(n.stageUrl),
    c_raw: ident('RAW'),
    c_file_name: ident('FILE_NAME'),
    c_file_row_number: ident('FILE_ROW_NUMBER'),
    c_load_id: ident('LOAD_ID'),
    c_loaded_at: ident('LOADED_AT'),
    typed_columns: Sql.trusted(cols.map((c) => `  ${ident(c.name).text} ${c.type}`).join(',\n')),
    typed_column_names: Sql.trusted(cols.map((c) => ident(c.name).text).join(', ')),
    typed_projection: Sql.trusted(cols.map((c) => `    ${c.expr(`GET(${ident('RAW').text}, ${literal(c.field).text})`)} AS ${ident(c.name).text}`).join(',\n')),
  };
}

function renderAll(templates: string[], values: Record<string, Sql>): Statement[] {
  return templates.flatMap((t) => splitStatements(render(readTemplate(t), values, t)).map((sql) => ({ template: t, sql })));
}

/** The setup statements in order. Without a role ARN the storage integration is left out (it may already exist). */
export function setupStatements(n: SnowflakeNames): Statement[] {
  if (!n.roleArn) throw new Error('warehouse.snowflake.roleArn is required to create the storage integration');
  return renderAll(templatesIn('setup'), { ...baseValues(n), role_arn: literal(n.roleArn) });
}

export function describeIntegrationStatement(n: SnowflakeNames): Statement {
  return renderAll(['describe_integration.sql'], baseValues(n))[0]!;
}

export interface LoadParams {
  loadId: string;
  pattern: string;
  onError: string;
}

/** COPY INTO amplitude_raw then INSERT the new uuids into the typed table. */
export function loadStatements(n: SnowflakeNames, p: LoadParams): Statement[] {
  const stagePath = `@${qualified(n.database, n.schema, n.stage).text}/${n.sourcePath.replace(/^\/+/, '')}`;
  if (!/^[A-Za-z0-9_./=-]*$/.test(n.sourcePath)) throw new Error(`invalid stage path ${JSON.stringify(n.sourcePath)}`);
  return renderAll(templatesIn('load'), {
    ...baseValues(n),
    stage_path: Sql.trusted(stagePath),
    load_id: literal(p.loadId),
    pattern: literal(p.pattern),
    on_error: onErrorValue(p.onError),
  });
}
