// Task kind "command": runs an `eventlake …` CLI command for the window in a child process, so a pipeline can chain
// the existing commands (extract → transform → aggregate → load) before dedicated task kinds exist, and so a crash in
// a command never takes the runner down. Arguments may use {window} {dt} {firstHour} {lastHour} {start} {end}
// placeholders, e.g. ["extract", "gharchive", "--start", "{firstHour}", "--end", "{lastHour}"].
// The child gets the same --config and --lake. Retryable when the command says so (EventlakeError.describe() prints
// "this error is retryable") or exits with PARTIAL (4); cancelled/timed out attempts kill the child.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EventlakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';
import { defineTask, type RunWindow } from '../task.ts';

const BIN = fileURLToPath(new URL('../../../bin/eventlake.js', import.meta.url));
const PLACEHOLDERS = ['window', 'dt', 'firstHour', 'lastHour', 'start', 'end'] as const;

function fill(arg: string, w: RunWindow): string {
  const values: Record<(typeof PLACEHOLDERS)[number], string> = {
    window: w.id,
    dt: w.dt,
    firstHour: w.firstHour,
    lastHour: w.lastHour,
    start: w.start.toISOString(),
    end: w.end.toISOString(),
  };
  return arg.replace(/\{(\w+)\}/g, (_, k: string) => values[k as keyof typeof values]);
}

const argSchema = z.string().refine((a) => [...a.matchAll(/\{(\w+)\}/g)].every((m) => (PLACEHOLDERS as readonly string[]).includes(m[1]!)), {
  message: `unknown placeholder (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`,
});

export const task = defineTask({
  kind: 'command',
  description: 'run an eventlake CLI command for the window in a child process (placeholders {window} {dt} {firstHour} {lastHour})',
  params: z.object({ args: z.array(argSchema).min(1), env: z.record(z.string(), z.string()).default({}) }).strict(),
  async run(t) {
    const args = t.params.args.map((a) => fill(a, t.window));
    const globals = ['--lake', t.app.loaded.lakeRoot, ...(t.app.loaded.file ? ['--config', t.app.loaded.file] : [])];
    const child = spawn(process.execPath, [BIN, ...globals, ...args], {
      cwd: t.app.loaded.baseDir,
      env: { ...process.env, ...t.params.env, EVENTLAKE_LOG_JSON: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = () => child.kill('SIGTERM');
    t.signal.addEventListener('abort', kill, { once: true });
    let stderr = '';
    let stdoutBytes = 0;
    child.stdout.on('data', (d: Buffer) => (stdoutBytes += d.length));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 64_000) stderr = stderr.slice(-32_000); // keep the tail: that is where the error is
    });
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
    }).finally(() => t.signal.removeEventListener('abort', kill));
    if (t.signal.aborted) throw t.signal.reason;
    if (code === 0) return { detail: { command: `eventlake ${args.join(' ')}`, stdoutBytes } };
    const errLine = stderr.split('\n').find((l) => /^error/.test(l)) ?? stderr.trim().split('\n').at(-1) ?? '';
    const next = /^\s*next: (.*)$/m.exec(stderr)?.[1];
    throw new EventlakeError(`eventlake ${args.join(' ')} exited with code ${code}: ${redact(errLine)}`, {
      step: `pipeline.${t.pipeline}.${t.step}`,
      code: code === 5 ? 'QUALITY' : code === 2 ? 'USAGE' : `EXIT_${code}`,
      retryable: /this error is retryable/.test(stderr) || code === 4,
      next,
    });
  },
});
