// Shared setup for the GitHub source tests: a temp lake, a Context pointed at the dev servers, and a CLI runner.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { buildContext, type Context } from '../../../src/cli/context.ts';
import type { CliResult } from '../../cli/in-process.ts';

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

export { runCliInProcess, type CliResult } from '../../cli/in-process.ts';
