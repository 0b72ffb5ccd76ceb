// Discovers task kinds from ./tasks/*.ts (each exports `task: TaskKind`). Tests add their own kinds by passing
// a map to the runner instead of touching this folder.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EventlakeError } from '../core/errors.ts';
import type { TaskKind } from './task.ts';

export type TaskKinds = ReadonlyMap<string, TaskKind<any>>;

let cached: Promise<TaskKinds> | undefined;

export function discoverTaskKinds(): Promise<TaskKinds> {
  cached ??= (async () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'tasks');
    const files = readdirSync(dir).filter((f) => (f.endsWith('.ts') || f.endsWith('.js')) && !f.endsWith('.d.ts')).sort();
    const kinds = new Map<string, TaskKind<any>>();
    for (const f of files) {
      const mod = (await import(pathToFileURL(join(dir, f)).href)) as { task?: TaskKind<any> };
      if (!mod.task) continue;
      if (kinds.has(mod.task.kind)) {
        throw new EventlakeError(`task kind ${mod.task.kind} is defined twice (second in src/pipeline/tasks/${f})`, { step: 'pipeline' });
      }
      kinds.set(mod.task.kind, mod.task);
    }
    return kinds;
  })();
  return cached;
}

/** Kinds from ./tasks plus extra ones (extra wins), e.g. test-only kinds. */
export async function taskKinds(extra?: Iterable<TaskKind<any>>): Promise<TaskKinds> {
  const m = new Map(await discoverTaskKinds());
  for (const t of extra ?? []) m.set(t.kind, t);
  return m;
}
