#!/usr/bin/env node
// Builds the dashboard page (web/ -> web/dist) with Vite's JS API. `eventlake serve` runs this on first start
// when web/dist is missing or older than web/ sources, so a fresh clone needs no extra step.
// Usage: node scripts/build-web.mjs            (or the npm script "build:web")
// The build goes to a temporary folder that is then swapped in, so a server reading web/dist never sees half a build.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web');

/** Builds web/ into outDir (default web/dist). Resolves to outDir. */
export async function buildWeb({ outDir = join(webRoot, 'dist'), logLevel = 'warn' } = {}) {
  const { build } = await import('vite');
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  await build({
    root: webRoot,
    base: './',
    logLevel,
    configFile: false,
    clearScreen: false,
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 1500,
      reportCompressedSize: false,
    },
  });
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  if (existsSync(outDir)) await rename(outDir, old);
  await rename(tmp, outDir);
  await rm(old, { recursive: true, force: true });
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildWeb({ logLevel: 'info' });
  process.stdout.write(`dashboard built into ${out}\n`);
}
