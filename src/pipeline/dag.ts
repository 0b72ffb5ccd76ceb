// Step dependencies as a DAG: validated once (unknown ids, cycles) and ordered topologically.
import { EventlakeError } from '../core/errors.ts';
import type { StepConfig } from '../config/sections/operate.ts';

function configError(pipeline: string, msg: string): EventlakeError {
  return new EventlakeError(`pipeline ${pipeline}: ${msg}`, { step: 'config', code: 'CONFIG', next: 'fix operate.pipelines in eventlake.config.yaml' });
}

/** Steps in an order where every step comes after its dependencies (ties keep config order). */
export function topoOrder(pipeline: string, steps: readonly StepConfig[]): StepConfig[] {
  const byId = new Map<string, StepConfig>();
  for (const s of steps) {
    if (byId.has(s.id)) throw configError(pipeline, `step id ${s.id} is used twice`);
    byId.set(s.id, s);
  }
  for (const s of steps) {
    for (const d of s.dependsOn) {
      if (!byId.has(d)) throw configError(pipeline, `step ${s.id} depends on unknown step ${d}`);
      if (d === s.id) throw configError(pipeline, `step ${s.id} depends on itself`);
    }
  }
  const out: StepConfig[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: StepConfig, path: string[]) => {
    const st = state.get(s.id);
    if (st === 'done') return;
    if (st === 'visiting') throw configError(pipeline, `dependency cycle: ${[...path, s.id].join(' -> ')}`);
    state.set(s.id, 'visiting');
    for (const d of s.dependsOn) visit(byId.get(d)!, [...path, s.id]);
    state.set(s.id, 'done');
    out.push(s);
  };
  for (const s of steps) visit(s, []);
  return out;
}

/** Every step that (transitively) depends on `id`. */
export function dependentsOf(steps: readonly StepConfig[], id: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of steps) {
      if (out.has(s.id)) continue;
      if (s.dependsOn.some((d) => d === id || out.has(d))) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return out;
}
