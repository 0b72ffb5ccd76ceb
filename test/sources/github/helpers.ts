// Shared setup for the GitHub source tests: a temp lake, a Context pointed at the dev servers, and a CLI runner.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { buildContext, type Context } from '../../../src/cli/context.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const sampleDir = join(repoRoot, 'samples', 'github', 'gharchive');
export const fixture2013 = join(repoRoot, 'test', 'fixtures', 'github-events-2013.json.gz');

export const fastRetry = { attempts: 3, baseMs: 1, maxMs: 5 };

export async function tempDir(prefix = 'el-gh-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function makeContext(lake: string, github: Record<string, unknown>): Promise<Context> {
  return buildContext({ lake }, { lake: { tmpDir: join(lake, '..', 'tmp') }, github });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `eventlake <args>` as a child process. */
export function runCli(args: string[], env: Record<string, string> = {}, onSpawn?: (kill: () => void) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, EVENTLAKE_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    onSpawn?.(() => p.kill('SIGKILL'));
    p.on('close', (code, signal) => resolve({ code: code ?? (signal ? 137 : 1), stdout, stderr }));
  });
}

/**
 * Runs `eventlake <args>` inside this process (the real commander program and error reporting, without paying the
 * child start-up): env vars are set for the duration, stdout/stderr writes are captured. Log lines (pino writes to
 * fd 2 directly) are not captured: tests about log content use runCli.
 */
export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { buildProgram, reportError } = await import('../../../src/cli/program.ts');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => ((stdout += String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => ((stderr += String(s)), true)) as typeof process.stderr.write;
  let code = 0;
  try {
    const program = await buildProgram();
    program.exitOverride();
    for (const c of program.commands) {
      c.exitOverride();
      for (const sub of c.commands) sub.exitOverride();
    }
    await program.parseAsync(['node', 'eventlake', ...args]);
  } catch (e) {
    code = reportError(e);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { code, stdout, stderr };
}
