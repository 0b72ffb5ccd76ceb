// Builds the commander program. Each file in ./commands exports `register(reg)`; groups such as
// `extract`, `load`, `snowflake` are shared so several modules can add subcommands to one group.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { EventlakeError, ExitCode } from '../core/errors.ts';
import { log } from '../core/log.ts';
import { buildContext, type Context, type GlobalOptions } from './context.ts';

export interface Registrar {
  program: Command;
  /** The shared group command `name` (created on first use). */
  group(name: string, description: string): Command;
  /** Resolves global options and builds the context for an action. */
  context(cmd: Command, overrides?: Record<string, unknown>): Promise<Context>;
}

export type RegisterFn = (reg: Registrar) => void;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('eventlake')
    .description(
      'Event-data lakehouse: Amplitude exports and GitHub events from source to dashboards.\n' +
        'Embedded by default (a local folder is the lake, DuckDB is the engine); S3, Athena/Glue and Snowflake when configured.',
    )
    .option('-c, --config <file>', 'config file (default: ./eventlake.config.yaml, or $EVENTLAKE_CONFIG)')
    .option('--lake <dir>', 'lake root folder (overrides lake.root)')
    .version(packageVersion(), '-V, --version', 'print the eventlake version')
    .showHelpAfterError('(run with --help for usage)')
    // Set before any subcommand exists so every subcommand inherits it: usage errors reach reportError (exit 2).
    .exitOverride()
    .configureHelp({ sortSubcommands: true });

  const groups = new Map<string, Command>();
  const reg: Registrar = {
    program,
    group(name, description) {
      let g = groups.get(name);
      if (!g) {
        g = program.command(name).description(description);
        groups.set(name, g);
      }
      return g;
    },
    context(cmd, overrides) {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      return buildContext(g, overrides);
    },
  };

  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: RegisterFn };
    mod.register?.(reg);
  }
  // The command list shows one line per command; the full description stays in each command's --help.
  const summarize = (c: Command) => {
    for (const sub of c.commands) {
      if (!sub.summary()) sub.summary(sub.description().split(/(?<=\.)\s|\n/)[0]!.replace(/[.:,;]$/, ''));
      summarize(sub);
    }
  };
  summarize(program);
  return program;
}

/** Prints an error the way users should see it and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof EventlakeError) {
    process.stderr.write(err.describe() + '\n');
    return (err as EventlakeError & { exitCode?: number }).exitCode ?? (err.code === 'USAGE' ? ExitCode.USAGE : ExitCode.FAILURE);
  }
  const e = err as { code?: string; exitCode?: number; message?: string };
  // Commander reports usage errors (missing option, unknown command) with exitCode 1; we promise 2 for usage.
  if (typeof e?.code === 'string' && e.code.startsWith('commander.')) return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  log.error({ err }, 'unexpected error');
  process.stderr.write(`error: ${e?.message ?? String(err)}\n`);
  return ExitCode.FAILURE;
}
