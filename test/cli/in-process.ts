// Runs `eventlake <args>` inside the test process: the real commander program, actions and error reporting (as
// bin/eventlake), without paying a child's start-up. Env vars are set for the duration; stdout/stderr writes are
// captured. Log lines (pino writes to fd 2 directly) are not: tests about log content spawn the real binary.
import { buildProgram, reportError } from '../../src/cli/program.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
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
