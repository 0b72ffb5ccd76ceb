// Pipeline task kinds for the Snowflake path. To enable them, the pipeline registry needs one file per kind:
//   src/pipeline/tasks/stage-amplitude.ts:  export { stageAmplitudeTask as task } from '../../warehouse/snowflake/tasks.ts';
//   src/pipeline/tasks/snowflake-load.ts:   export { snowflakeLoadTask as task } from '../../warehouse/snowflake/tasks.ts';
import { z } from 'zod';
import { defineTask } from '../../pipeline/task.ts';
import { EventlakeError, ExitCode } from '../../core/errors.ts';
import { S3Api } from '../../cloud/aws/s3.ts';
import { lakeTarget, s3PutOnlyTarget, stageRaw } from './stage-uploader.ts';
import { connectSnowflake } from './client.ts';
import { requireSnowflakeConfig, runLoad, snowflakeNames } from './loader.ts';

export const stageAmplitudeTask = defineTask({
  kind: 'stage-amplitude',
  description: "PUT the window's raw Amplitude files under python-import/amplitude/ (idempotent via _eventlake load history)",
  params: z.object({ force: z.boolean().default(false) }).strict(),
  async run(t) {
    const cfg = t.app.loaded.config.storage.stageS3;
    const api = cfg ? new S3Api(cfg) : undefined;
    try {
      const target = api ? s3PutOnlyTarget(api, cfg?.prefix) : lakeTarget(t.app.storage, t.app.layout);
      const r = await stageRaw(t.app.storage, t.app.layout, target, { source: 'amplitude', from: t.window.dt, to: t.window.dt, force: t.params.force, signal: t.signal });
      return { rows: r.staged.length, bytes: r.staged.reduce((a, f) => a + f.size, 0), detail: { skipped: r.skipped, target: target.description } };
    } finally {
      api?.destroy();
    }
  },
});

export const snowflakeLoadTask = defineTask({
  kind: 'snowflake-load',
  description: 'COPY INTO amplitude_raw from the stage and insert new uuids into the typed table (Snowflake load metadata skips loaded files)',
  params: z.object({ pattern: z.string().optional(), onError: z.string().optional(), failOnPartial: z.boolean().default(true) }).strict(),
  async run(t) {
    const sf = requireSnowflakeConfig(t.app.loaded.config);
    const exec = await connectSnowflake(sf);
    try {
      const r = await runLoad(exec, snowflakeNames(t.app.loaded.config), {
        pattern: t.params.pattern ?? sf.pattern,
        onError: t.params.onError ?? sf.onError,
        history: { storage: t.app.storage, layout: t.app.layout, source: 'amplitude' },
      });
      if (r.failedFiles.length && t.params.failOnPartial) {
        const e = new EventlakeError(`${r.failedFiles.length} file(s) not fully loaded, first: ${r.failedFiles[0]!.file} ${r.failedFiles[0]!.status} ${r.failedFiles[0]!.firstError ?? ''}`, {
          step: 'warehouse.snowflake',
          code: 'PARTIAL',
          context: { loadId: r.loadId, history: r.historyKey },
          next: 'fix or remove the file, then eventlake snowflake load',
        });
        throw Object.assign(e, { exitCode: ExitCode.PARTIAL });
      }
      return { rows: r.rowsLoaded, detail: { loadId: r.loadId, files: r.files.length, typedRowsInserted: r.typedRowsInserted, failed: r.failedFiles.length } };
    } finally {
      await exec.close();
    }
  },
});
