// Loads the GitHub model's SQL from models/github/*.sql and fills {{placeholders}}. Values are inserted as given:
// callers quote literals with sqlString (paths) or pass trusted fragments (VALUES lists they built themselves).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventlakeError } from '../../core/errors.ts';

const sqlDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models', 'github');
const cache = new Map<string, string>();

export function githubSql(name: string, vars: Record<string, string | number>): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(sqlDir, `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    const v = vars[k];
    if (v === undefined) throw new EventlakeError(`models/github/${name}.sql: no value for {{${k}}}`, { step: 'model.github' });
    return String(v);
  });
}
