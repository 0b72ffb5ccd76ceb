import type { Registrar } from '../program.ts';

export function register(reg: Registrar): void {
  const g = reg.group('config', 'inspect and validate the configuration');
  g.command('check')
    .description('validate the config file and environment overrides; prints where each value was read from')
    .action(async (_o, cmd) => {
      const ctx = await reg.context(cmd);
      process.stdout.write(`config ok: ${ctx.loaded.file ?? '(no file: defaults + environment)'}\nlake root: ${ctx.loaded.lakeRoot}\n`);
    });
  g.command('show')
    .description('print the effective configuration as JSON (secrets are never part of it)')
    .action(async (_o, cmd) => {
      const ctx = await reg.context(cmd);
      process.stdout.write(JSON.stringify(ctx.loaded.config, null, 2) + '\n');
    });
}
