// Storage factory: picks the implementation named by config.storage.kind.
import type { Storage } from '../core/storage.ts';
import type { LoadedConfig } from '../config/load.ts';
import { LocalStorage } from './local/local-storage.ts';
import { EventlakeError } from '../core/errors.ts';
import { S3Storage } from './s3/s3-storage.ts';

export async function createStorage(loaded: LoadedConfig): Promise<Storage> {
  const { config } = loaded;
  switch (config.storage.kind) {
    case 'local':
      return new LocalStorage({ root: loaded.lakeRoot });
    case 's3': {
      const s3 = config.storage.s3;
      if (!s3) {
        throw new EventlakeError('storage.kind is s3 but storage.s3 is missing', {
          step: 'config',
          code: 'CONFIG',
          next: 'add storage.s3.bucket (and kmsKeyId) to eventlake.config.yaml',
        });
      }
      return new S3Storage(s3);
    }
    default:
      throw new EventlakeError(`storage kind ${config.storage.kind} is not available in this build`, {
        step: 'config',
        code: 'CONFIG',
        next: 'set storage.kind: local in eventlake.config.yaml',
      });
  }
}
