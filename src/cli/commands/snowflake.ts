// `eventlake snowflake setup --print|--apply` and `eventlake snowflake load`.
import type { Registrar } from '../program.ts';
import { EventlakeError, ExitCode } from '../../core/errors.ts';
import { connectSnowflake, type SqlExecutor } from '../../warehouse/snowflake/client.ts';
import { requireSnowflakeConfig, runLoad, runSetup, snowflakeNames } from '../../warehouse/snowflake/loader.ts';

export function register(reg: Registrar): void {
  const g = reg.group('snowflake', 'Snowflake: external stage on python-import/, COPY INTO amplitude_raw, typed table');

  g.command('setup')
    .description(
      'create the database/schema, storage integration (warehouse.snowflake.roleArn), JSON file format\n' +
        '(STRIP_OUTER_ARRAY = TRUE), external stage on the python-import/ URL, amplitude_raw (VARIANT) and the typed table.\n' +
        '--print writes the SQL to stdout (nothing is executed); --apply runs it (integration creation needs ACCOUNTADMIN\n' +
        'or CREATE INTEGRATION) and prints STORAGE_AWS_IAM_USER_ARN / STORAGE_AWS_EXTERNAL_ID and the IAM trust policy.',
    )
    .option('--print', 'print the SQL only (default)')
    .option('--apply', 'execute the SQL on Snowflake (key-pair auth: $SNOWFLAKE_PRIVATE_KEY)')
    .action(async (o: { print?: boolean; apply?: boolean }, cmd) => {
      if (o.print && o.apply) throw new EventlakeError('choose --print or --apply', { step: 'cli', code: 'USAGE' });
      const ctx = await reg.context(cmd);
      const names = snowflakeNames(ctx.loaded.config);
      let exec: SqlExecutor | undefined;
      if (o.apply) exec = await connectSnowflake(requireSnowflakeConfig(ctx.loaded.config));
      try {
        const r = await runSetup(exec, names);
        if (!o.apply) {
          process.stdout.write(r.statements.map((s) => `-- ${s.template}\n${s.sql};\n`).join('\n'));
          return;
        }
        process.stdout.write(`applied ${r.statements.length} statement(s)\n`);
        process.stdout.write(`STORAGE_AWS_IAM_USER_ARN = ${r.trust?.iamUserArn ?? '(not returned)'}\n`);
        process.stdout.write(`STORAGE_AWS_EXTERNAL_ID  = ${r.trust?.externalId ?? '(not returned)'}\n`);
        if (r.trust?.trustPolicy) {
          process.stdout.write(`trust policy for ${names.roleArn}:\n${JSON.stringify(r.trust.trustPolicy, null, 2)}\n`);
        }
      } finally {
        await exec?.close();
      }
    });

  g.command('load')
    .description(
      'COPY INTO amplitude_raw from the stage (FROM (SELECT $1, METADATA$FILENAME, METADATA$FILE_ROW_NUMBER …)),\n' +
        'report per-file results, then insert new uuids into the typed table. Idempotent: Snowflake skips files it\n' +
        'loaded in the last 64 days, and the typed insert skips uuids already present. A load record is written to\n' +
        '_eventlake/load-history/amplitude/snowflake/. Exit code 4 when some files failed or loaded partially.',
    )
    .option('--pattern <regex>', 'COPY PATTERN on the staged path (default: warehouse.snowflake.pattern)')
    .option('--on-error <mode>', 'CONTINUE | SKIP_FILE | SKIP_FILE_<n> | SKIP_FILE_<n>% | ABORT_STATEMENT (default: warehouse.snowflake.onError)')
    .action(async (o: { pattern?: string; onError?: string }, cmd) => {
      const ctx = await reg.context(cmd);
      const sf = requireSnowflakeConfig(ctx.loaded.config);
      const names = snowflakeNames(ctx.loaded.config);
      const exec = await connectSnowflake(sf);
      try {
        const r = await runLoad(exec, names, {
          pattern: o.pattern ?? sf.pattern,
          onError: o.onError ?? sf.onError,
          history: { storage: ctx.storage, layout: ctx.layout, source: 'amplitude' },
        });
        for (const f of r.files) {
          process.stdout.write(`${f.status.padEnd(16)} ${f.rowsLoaded}/${f.rowsParsed} rows  ${f.file}${f.firstError ? `  first error: ${f.firstError}` : ''}\n`);
        }
        process.stdout.write(
          `load ${r.loadId}: ${r.files.length} file(s), ${r.rowsLoaded} row(s) into ${names.rawTable}` +
            (r.typedRowsInserted !== undefined ? `, ${r.typedRowsInserted} new into ${names.typedTable}` : '') +
            (r.files.length === 0 ? ' (nothing new to load)' : '') +
            '\n',
        );
        if (r.failedFiles.length) process.exitCode = ExitCode.PARTIAL;
      } finally {
        await exec.close();
      }
    });
}
