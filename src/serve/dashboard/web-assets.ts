// The built page: web/dist, (re)built with scripts/build-web.mjs when missing or older than the sources in web/, so
// `eventlake serve` works on a fresh clone. One build per process at a time; the build swaps web/dist in whole.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventlakeError } from '../../core/errors.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WEB_ROOT = join(repoRoot, 'web');
export const BUILD_SCRIPT = join(repoRoot, 'scripts', 'build-web.mjs');
/** Files outside web/ that the page build depends on (the build script, modules the page imports from src/). */
const PAGE_IMPORTS = [BUILD_SCRIPT, join(repoRoot, 'src', 'serve', 'dashboard', 'default-range.ts')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name.startsWith('dist.') || e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when web/dist/index.html is missing or older than any file under web/ (or the build script). */
export function webBuildStale(distDir = join(WEB_ROOT, 'dist')): boolean {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return Math.max(newestSource(WEB_ROOT), ...PAGE_IMPORTS.map((f) => statSync(f).mtimeMs)) > built;
}

let building: Promise<string> | undefined;

/** Builds the page if needed; resolves to the folder to serve. */
export async function ensureWebBuilt(o: { distDir?: string; force?: boolean } = {}): Promise<string> {
  const distDir = o.distDir ?? join(WEB_ROOT, 'dist');
  if (!o.force && !webBuildStale(distDir)) return distDir;
  building ??= (async () => {
    try {
      const mod = (await import(pathToFileURL(BUILD_SCRIPT).href)) as { buildWeb(o: { outDir?: string; logLevel?: string }): Promise<string> };
      return await mod.buildWeb({ outDir: distDir, logLevel: 'error' });
    } catch (e) {
      throw new EventlakeError(`could not build the dashboard page (web/ -> web/dist): ${(e as Error).message}`, {
        step: 'dashboard',
        cause: e,
        next: 'node scripts/build-web.mjs   (needs the dev dependency vite: npm ci)',
      });
    } finally {
      building = undefined;
    }
  })();
  return building;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Reads a file of the built page by URL path; undefined when it does not exist or escapes the folder. */
export async function readAsset(distDir: string, urlPath: string): Promise<{ body: Buffer; type: string; immutable: boolean } | undefined> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]!).replace(/^\/+/, '');
  } catch {
    return undefined;
  }
  if (!rel) rel = 'index.html';
  const file = resolve(distDir, rel);
  if (!file.startsWith(resolve(distDir) + sep)) return undefined;
  try {
    const body = await readFile(file);
    return { body, type: TYPES[extname(file)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') };
  } catch {
    return undefined;
  }
}
