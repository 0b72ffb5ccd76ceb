// Builds the commander program. Each file in ./commands exports `register(reg)`; groups such as
// `extract`, `load`, `snowflake` are shared so several modules can add subcommands to one group.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { EventlakeError, ExitCode } from '../core/errors.ts';
import { log } from '../core/log.ts';
import type { Context, GlobalOptions } from './context.ts';

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

/**
 * Builds the program. With `argv` (the process arguments), only the command modules the arguments name are loaded
 * (`unzip` -> commands/unzip.ts, `extract amplitude` -> commands/extract-*.ts): loading all of them costs ~1.5 s and
 * ~110 MB of RSS before any work starts, which a streaming command such as `unzip` cannot afford under its memory
 * budget. When the named command is not found in those files (a group with subcommands in other files, `help`,
 * a bare `--help`), every module is loaded, as without `argv`.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const words = argv ? commandWords(argv.slice(2)) : [];
  const named = words.length ? files.filter((f) => f === `${words[0]}.ts` || f.startsWith(`${words[0]}-`)) : [];
  if (named.length) {
    const program = await assemble(dir, named);
    if (resolves(program, words)) return program;
  }
  return assemble(dir, files);
}

/** Global options that take a value (they may come before the command name). */
const GLOBAL_WITH_VALUE = new Set(['-c', '--config', '--lake']);

/** The leading non-option words of the arguments: the command path plus, possibly, positional arguments. */
function commandWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (words.length === 0 && GLOBAL_WITH_VALUE.has(a)) i++;
      if (words.length) break; // the command's own options start: the path is complete
      continue;
    }
    words.push(a);
  }
  return words;
}

/** True when `words` reach a command that has no subcommands, or a group's named subcommand. */
function resolves(program: Command, words: readonly string[]): boolean {
  let cmd = program;
  for (const w of words) {
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!sub) return cmd !== program && cmd.commands.length === 0;
    cmd = sub;
  }
  return cmd.commands.length === 0;
}

async function assemble(dir: string, files: readonly string[]): Promise<Command> {
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
    async context(cmd, overrides) {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      // Loaded on first use: commands that need no lake (e.g. `unzip`) do not pay for storage/meta modules.
      const { buildContext } = await import('./context.ts');
      return buildContext(g, overrides);
    },
  };

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
