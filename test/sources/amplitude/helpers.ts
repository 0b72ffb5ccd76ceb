// Shared setup for the Amplitude tests: a temp lake, a context pointing at a dev server, the committed sample.
import { mkdtempSync, promises as fs, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContext, type Context } from '../../../src/cli/context.ts';
import { listAll } from '../../../src/core/storage.ts';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SAMPLES = join(REPO, 'samples', 'amplitude');
export const SAMPLE_FILES = readdirSync(SAMPLES).filter((f) => f.endsWith('.json.gz')).sort();
export const API_KEY = 'test-api-key-7c1f';
export const SECRET_KEY = 'test-secret-key-93be';
export const ENV = { AMPLITUDE_API_KEY: API_KEY, AMPLITUDE_SECRET_KEY: SECRET_KEY };
/** "Now" for tests: long after the sample hours, so none is too young. */
export const NOW = Date.UTC(2026, 10, 20);
export const noSleep = async () => {};

export function tempDir(prefix = 'amp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function makeContext(root: string, baseUrl: string, amplitude: Record<string, unknown> = {}): Promise<Context> {
  return buildContext(
    { lake: join(root, 'lake') },
    { lake: { tmpDir: join(root, 'tmp') }, amplitude: { baseUrl, retry: { attempts: 3, baseMs: 1, maxMs: 5 }, ...amplitude } },
  );
}

export async function rawKeys(ctx: Context): Promise<string[]> {
  return (await listAll(ctx.storage, 'raw/')).map((o) => o.key);
}

/** Every file under a folder (recursively), relative paths. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    let ents: import('node:fs').Dirent[];
    try {
      ents = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (e.isDirectory()) await walk(join(d, e.name), rel + e.name + '/');
      else out.push(rel + e.name);
    }
  };
  await walk(dir, '');
  return out.sort();
}

export function expectedKey(sampleFile: string): string {
  const m = /^(\d+)_(\d{4}-\d{2}-\d{2})_(\d+)#(\d+)\.json\.gz$/.exec(sampleFile)!;
  return `raw/amplitude/dt=${m[2]}/hour=${m[3]!.padStart(2, '0')}/${sampleFile.replace('#', '_')}`;
}
