// What every command needs, built lazily so `--help` works without a config file or a lake.
import { mkdirSync } from 'node:fs';
import { loadConfig, type LoadedConfig } from '../config/load.ts';
import { createStorage } from '../storage/index.ts';
import type { Storage } from '../core/storage.ts';
import { LakeLayout } from '../lake/layout.ts';
import { MetaStore } from '../lake/meta-store.ts';
import { log, type Logger } from '../core/log.ts';

export interface GlobalOptions {
  config?: string;
  lake?: string;
}

export interface Context {
  loaded: LoadedConfig;
  storage: Storage;
  layout: LakeLayout;
  meta: MetaStore;
  log: Logger;
}

export async function buildContext(g: GlobalOptions, overrides?: Record<string, unknown>): Promise<Context> {
  const merged: Record<string, unknown> = { ...(overrides ?? {}) };
  if (g.lake) merged.lake = { ...((merged.lake as object) ?? {}), root: g.lake };
  const loaded = loadConfig({ path: g.config, overrides: merged });
  mkdirSync(loaded.tmpDir, { recursive: true });
  const storage = await createStorage(loaded);
  const layout = new LakeLayout(loaded.config.lake.prefixes);
  return { loaded, storage, layout, meta: new MetaStore(storage, layout), log };
}
