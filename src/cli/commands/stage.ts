// `eventlake stage amplitude`: raw Amplitude files -> the Snowflake external stage prefix (python-import/amplitude/).
import type { Registrar } from '../program.ts';
import { EventlakeError } from '../../core/errors.ts';
import { progress } from '../../core/progress.ts';
import { S3Api } from '../../cloud/aws/s3.ts';
import { lakeTarget, s3PutOnlyTarget, stageRaw } from '../../warehouse/snowflake/stage-uploader.ts';

export function register(reg: Registrar): void {
  const g = reg.group('stage', 'copy raw files into the Snowflake external stage prefix (python-import/<source>/)');
  g.command('amplitude')
    .description(
      'PUT raw Amplitude .json.gz files (exact bytes) under python-import/amplitude/dt=…/hour=…/.\n' +
        'The stage is written with PutObject only (no List/Get on the stage): what was staged is recorded in\n' +
        '_eventlake/load-history/amplitude/stage/ in the lake, so a rerun skips staged files and re-PUTs the rest\n' +
        'to the same keys. Target: storage.stageS3 when configured (e.g. the seed bucket with a PUT-only role),\n' +
        'otherwise the lake itself. Next: eventlake snowflake load',
    )
    .option('--from <date>', 'first dt to stage, YYYY-MM-DD (inclusive)')
    .option('--to <date>', 'last dt to stage, YYYY-MM-DD (inclusive)')
    .option('--force', 're-PUT files even when the load history says they are staged', false)
    .action(async (o: { from?: string; to?: string; force: boolean }, cmd) => {
      const ctx = await reg.context(cmd);
      const stageCfg = ctx.loaded.config.storage.stageS3;
      const api = stageCfg ? new S3Api(stageCfg) : undefined;
      const target = api ? s3PutOnlyTarget(api, stageCfg?.prefix) : lakeTarget(ctx.storage, ctx.layout);
      const p = progress('stage amplitude');
      try {
        const r = await stageRaw(ctx.storage, ctx.layout, target, {
          source: 'amplitude',
          from: o.from,
          to: o.to,
          force: o.force,
          onFile: (f, skipped) => p.add(1, skipped ? 0 : f.size),
        });
        p.done();
        process.stdout.write(
          `staged ${r.staged.length} file(s) (${r.staged.reduce((a, f) => a + f.size, 0)} bytes), skipped ${r.skipped} already staged, target ${target.description}\n`,
        );
      } catch (e) {
        if (e instanceof EventlakeError && e.code === 'USAGE') throw Object.assign(e, { exitCode: 2 });
        throw e;
      } finally {
        api?.destroy();
      }
    });
}
