// buildProgram(argv) loads only the command modules the arguments name (memory and start-up time of streaming
// commands such as `unzip`); every command must still resolve to exactly what the full program has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.ts';

function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...prefix, c.name()], ...paths(c, [...prefix, c.name()])]);
}

function find(program: Command, path: readonly string[]): Command | undefined {
  let cmd: Command | undefined = program;
  for (const w of path) cmd = cmd?.commands.find((c) => c.name() === w);
  return cmd;
}

test('every command resolves to the same command (same help) when only the modules its name points to are loaded', async () => {
  const full = await buildProgram();
  const all = paths(full);
  assert.ok(all.length > 20, `expected the whole command tree, got ${all.length} paths`);
  for (const path of all) {
    const want = find(full, path)!;
    for (const argv of [[...path, '--help'], ['--lake', '/tmp/x', ...path, 'arg1'], ['-c', 'cfg.yaml', ...path]]) {
      const program = await buildProgram(['node', 'eventlake', ...argv]);
      const got = find(program, path);
      assert.ok(got, `${argv.join(' ')}: command ${path.join(' ')} missing`);
      assert.equal(got.helpInformation(), want.helpInformation(), `${argv.join(' ')}: help differs`);
      // A group lists every subcommand, including those registered by modules with other names (`load redshift`).
      assert.deepEqual(got.commands.map((c) => c.name()).sort(), want.commands.map((c) => c.name()).sort(), `${argv.join(' ')}: subcommands differ`);
    }
  }
});

test('a leaf command loads only its own module; no command, `help` or an unknown name load them all', async () => {
  const full = (await buildProgram()).commands.map((c) => c.name()).sort();
  const only = await buildProgram(['node', 'eventlake', '--config', 'x.yaml', 'unzip', 'data.zip', '--out', 'd']);
  assert.deepEqual(only.commands.map((c) => c.name()), ['unzip']);
  for (const argv of [[], ['--help'], ['help', 'unzip'], ['nosuch'], ['load'], ['load', 'redshift']]) {
    const p = await buildProgram(['node', 'eventlake', ...argv]);
    assert.deepEqual(p.commands.map((c) => c.name()).sort(), full, argv.join(' ') || '(no arguments)');
  }
});
