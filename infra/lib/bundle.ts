// Bundles a Lambda handler from the project's own TypeScript with esbuild (installed locally: no Docker, no
// network), so `infra synth` works offline. AWS SDK v3 clients stay external because the Node.js Lambda runtime
// ships them. Output goes to a fresh temp folder that CDK copies into the cloud assembly as an asset.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const made: string[] = [];

export function bundleLambda(projectRoot: string, entry: string): string {
  const entryPath = resolve(projectRoot, entry);
  if (!existsSync(entryPath)) throw new Error(`Lambda entry ${entryPath} does not exist (set it in infra config)`);
  const outdir = mkdtempSync(join(tmpdir(), 'eventlake-lambda-'));
  made.push(outdir);
  buildSync({
    entryPoints: [entryPath],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: false,
    sourcemap: false,
    // Deterministic output (no absolute paths, no timestamps) keeps the asset hash stable between synths.
    legalComments: 'none',
    external: ['@aws-sdk/client-*'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return outdir;
}

/** Removes the temp bundle folders (call after app.synth(): the assets are copied into the assembly by then). */
export function cleanBundles(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
