// Loads eventlake.config.yaml (or .yml/.json), applies EVENTLAKE_CFG__a__b=value env overrides, loads .env,
// validates with zod, and reports every problem with the key and where it was read.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import dotenv from 'dotenv';
import { configSchema, type EventlakeConfig } from './schema.ts';
import { EventlakeError, ExitCode } from '../core/errors.ts';

export interface LoadedConfig {
  config: EventlakeConfig;
  /** File it was read from, or undefined when only defaults/env were used. */
  file?: string;
  /** Folder relative paths are resolved against. */
  baseDir: string;
  lakeRoot: string;
  tmpDir: string;
}

export const CONFIG_FILE_NAMES = ['eventlake.config.yaml', 'eventlake.config.yml', 'eventlake.config.json'];
const ENV_PREFIX = 'EVENTLAKE_CFG__';

export class ConfigError extends EventlakeError {
  readonly exitCode = ExitCode.CONFIG;
  constructor(message: string, file?: string) {
    super(message, { step: 'config', code: 'CONFIG', next: file ? `edit ${file} and run the command again` : 'create eventlake.config.yaml (see README "Configuration")' });
  }
}

export interface LoadOptions {
  /** Explicit config path (--config). */
  path?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Load .env from cwd into env (default true). Existing variables win. */
  dotenv?: boolean;
  /** Programmatic overrides (tests), applied after file and env. */
  overrides?: Record<string, unknown>;
}

export function findConfigFile(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.EVENTLAKE_CONFIG) return resolve(cwd, env.EVENTLAKE_CONFIG);
  for (const n of CONFIG_FILE_NAMES) {
    const p = resolve(cwd, n);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && av && typeof av === 'object' && !Array.isArray(av)
        ? deepMerge(av as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  if (opts.dotenv !== false) {
    const envFile = resolve(cwd, '.env');
    if (existsSync(envFile)) dotenv.config({ path: envFile, processEnv: env as Record<string, string>, quiet: true });
  }
  const file = opts.path ? resolve(cwd, opts.path) : findConfigFile(cwd, env);
  let raw: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`, file);
    const text = readFileSync(file, 'utf8');
    try {
      const parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      raw = parsed ?? {};
    } catch (e) {
      throw new ConfigError(`config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`, file);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`config file ${file} must contain a mapping at the top level`, file);
  }
  // Env overrides: EVENTLAKE_CFG__amplitude__concurrency=4 (values parsed as JSON when possible).
  const fromEnv = new Map<string, string>();
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith(ENV_PREFIX) || v === undefined) continue;
    const path = k.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    let value: unknown = v;
    try {
      value = JSON.parse(v);
    } catch {
      /* plain string */
    }
    setPath(raw, path, value);
    fromEnv.set(path.join('.'), k);
  }
  if (env.EVENTLAKE_LAKE_ROOT) {
    setPath(raw, ['lake', 'root'], env.EVENTLAKE_LAKE_ROOT);
    fromEnv.set('lake.root', 'EVENTLAKE_LAKE_ROOT');
  }
  if (opts.overrides) raw = deepMerge(raw, opts.overrides);

  const res = configSchema.safeParse(raw);
  if (!res.success) {
    const lines = res.error.issues.map((iss) => {
      const keyPath = iss.path.join('.');
      const keys = iss.code === 'unrecognized_keys' ? (iss as { keys: string[] }).keys.map((k) => (keyPath ? `${keyPath}.${k}` : k)).join(', ') : keyPath || '(top level)';
      const where = fromEnv.has(keyPath) ? `env ${fromEnv.get(keyPath)}` : file ? file : 'defaults';
      return `  - ${keys}: ${iss.message} (read from ${where})`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`, file);
  }
  const baseDir = file ? dirname(file) : cwd;
  const config = res.data;
  const lakeRoot = isAbsolute(config.lake.root) ? config.lake.root : resolve(baseDir, config.lake.root);
  const tmpDir = config.lake.tmpDir ? resolve(baseDir, config.lake.tmpDir) : resolve(dirname(lakeRoot), '.eventlake-tmp');
  return { config, file, baseDir, lakeRoot, tmpDir };
}
