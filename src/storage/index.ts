// Storage factory: picks the implementation named by config.storage.kind.
import type { Storage } from '../core/storage.ts';
import type { LoadedConfig } from '../config/load.ts';
import { LocalStorage } from './local/local-storage.ts';
import { EventlakeError } from '../core/errors.ts';

export async function createStorage(loaded: LoadedConfig): Promise<Storage> {
  const { config } = loaded;
  switch (config.storage.kind) {
    case 'local':
      return new LocalStorage({ root: loaded.lakeRoot });
    default:
      throw new EventlakeError(`storage kind ${config.storage.kind} is not available in this build`, {
        step: 'config',
        code: 'CONFIG',
        next: 'set storage.kind: local in eventlake.config.yaml',
      });
  }
}
