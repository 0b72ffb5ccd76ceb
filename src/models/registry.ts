// Source models are discovered: each folder src/models/<source>/index.ts exports `model: SourceModel`.
// Adding a source never edits this file.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SourceModel } from '../core/model.ts';
import { EventlakeError } from '../core/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));
let cache: Map<string, SourceModel> | undefined;

export async function loadModels(): Promise<Map<string, SourceModel>> {
  if (cache) return cache;
  const found = new Map<string, SourceModel>();
  for (const d of readdirSync(here, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const index = join(here, d.name, 'index.ts');
    if (!existsSync(index)) continue;
    const mod = (await import(pathToFileURL(index).href)) as { model?: SourceModel };
    if (mod.model) found.set(mod.model.source, mod.model);
  }
  cache = found;
  return found;
}

export async function getModel(source: string): Promise<SourceModel> {
  const models = await loadModels();
  const m = models.get(source);
  if (!m) {
    throw new EventlakeError(`unknown source "${source}" (known: ${[...models.keys()].sort().join(', ') || 'none'})`, {
      step: 'config',
      code: 'USAGE',
      next: 'eventlake transform --help',
    });
  }
  return m;
}
