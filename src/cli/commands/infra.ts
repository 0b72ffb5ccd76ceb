// `eventlake infra synth|deploy`: the AWS side as a CDK app (infra/). Synthesis runs in-process with aws-cdk-lib
// (no CDK CLI, no AWS account, works offline); deploy hands the synthesized cloud assembly to the CDK CLI.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Registrar } from '../program.ts';
import { loadConfig } from '../../config/load.ts';
import type { EventlakeConfig } from '../../config/schema.ts';
import { EventlakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEFAULT_OUT = 'cdk.out';

export interface SynthSummary {
  outdir: string;
  stacks: { name: string; template: string; resources: number }[];
  warnings: string[];
}

/** Synthesizes the CDK app for `config` into `outdir` (no CLI needed). */
export async function synthInfra(config: EventlakeConfig, outdir: string, configDir?: string): Promise<SynthSummary> {
  let mod: typeof import('../../../infra/app.ts');
  try {
    mod = await import('../../../infra/app.ts');
  } catch (e) {
    throw new EventlakeError('cannot load the CDK app (infra/app.ts); is aws-cdk-lib installed?', { step: 'infra.synth', cause: e, next: 'npm ci' });
  }
  let assembly;
  process.stderr.write(`synthesizing the CDK app into ${outdir} (bundling Lambda code with esbuild)…\n`);
  try {
    ({ assembly } = mod.synthApp(config, { projectRoot: PROJECT_ROOT, outdir, configDir }));
  } catch (e) {
    throw new EventlakeError(`CDK synthesis failed: ${(e as Error).message}`, {
      step: 'infra.synth',
      cause: e,
      code: 'SYNTH',
      next: 'fix the infra section of the config (eventlake config check), then run eventlake infra synth again',
    });
  }
  const warnings: string[] = [];
  const stacks = assembly.stacks.map((st) => {
    for (const m of st.messages) if (m.level === 'warning' || m.level === 'error') warnings.push(`${st.stackName}: ${String(m.entry.data)}`);
    return { name: st.stackName, template: join(outdir, st.templateFile), resources: Object.keys((st.template as { Resources?: object }).Resources ?? {}).length };
  });
  return { outdir, stacks, warnings };
}

export interface CdkRunResult {
  code: number;
  output: string;
}

/**
 * The CDK CLI command: $EVENTLAKE_CDK_CLI (e.g. "npx -y aws-cdk@latest"), else the project's own aws-cdk package
 * (resolved from here, so it works from any working directory), else `npx --no-install cdk`.
 */
export function cdkCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const custom = env.EVENTLAKE_CDK_CLI?.trim();
  if (custom) return custom.split(/\s+/);
  try {
    return [process.execPath, createRequire(import.meta.url).resolve('aws-cdk/bin/cdk')];
  } catch {
    return ['npx', '--no-install', 'cdk'];
  }
}

function runCdk(argv: string[], cwd: string): Promise<CdkRunResult> {
  const [cmd, ...args] = argv;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd!, args, { cwd, stdio: ['inherit', 'pipe', 'pipe'], env: process.env });
    let output = '';
    const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
      to.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-20_000); // the tail is enough to classify failures
    };
    child.stdout.on('data', (c: Buffer) => keep(c, process.stderr));
    child.stderr.on('data', (c: Buffer) => keep(c, process.stderr));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/** Turns a failed CDK CLI run into an error that says what went wrong and what to run next. */
export function classifyCdkFailure(res: CdkRunResult, appDir: string, stacksArg: string): EventlakeError {
  const out = res.output;
  const step = 'infra.deploy';
  const tail = redact(out.trim().split('\n').slice(-3).join(' | ')).slice(0, 500);
  if (/schema version mismatch|not compatible with the CDK library|Maximum schema version supported/i.test(out)) {
    const need = /at least CLI version ([0-9][\w.-]*)/i.exec(out)?.[1];
    const pkg = need ? `aws-cdk@^${need}` : 'aws-cdk@latest';
    return new EventlakeError(`the installed CDK CLI cannot read this cloud assembly (aws-cdk-lib is newer than the CLI)${need ? `; CLI ${need} or later is needed` : ''}`, {
      step,
      code: 'CDK_CLI_INCOMPATIBLE',
      context: { appDir },
      next: `EVENTLAKE_CDK_CLI="npx -y ${pkg}" eventlake infra deploy   (or: npx -y ${pkg} deploy --app ${appDir} ${stacksArg})`,
    });
  }
  if (/bootstrap/i.test(out) && /(not found|has not been bootstrapped|toolkit stack|cdk bootstrap)/i.test(out)) {
    return new EventlakeError('the target account/region is not bootstrapped for CDK deployments', {
      step,
      code: 'CDK_BOOTSTRAP',
      next: `npx cdk bootstrap --app ${appDir}   (once per account and region), then eventlake infra deploy`,
    });
  }
  if (/Unable to resolve AWS account|Need to perform AWS calls|Could not load credentials|credentials|ExpiredToken|security token included in the request is (invalid|expired)|no credentials/i.test(out)) {
    return new EventlakeError('no usable AWS credentials for the deployment', {
      step,
      code: 'AWS_CREDENTIALS',
      next: 'set AWS_PROFILE (aws configure sso / aws sso login) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment, then eventlake infra deploy',
    });
  }
  return new EventlakeError(`cdk deploy failed (exit ${res.code}): ${tail}`, {
    step,
    code: 'CDK_DEPLOY',
    retryable: /Throttl|Rate exceeded|timed out|ECONNRESET/i.test(out),
    next: `inspect the CloudFormation events of the failed stack, fix, then eventlake infra deploy ${stacksArg}`.trim(),
  });
}

/** Stack names of an existing cloud assembly (deploy --no-synth). */
export function assemblyStacks(outdir: string): string[] {
  const manifest = join(outdir, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new EventlakeError(`no cloud assembly in ${outdir} (manifest.json missing)`, { step: 'infra.deploy', code: 'NO_ASSEMBLY', next: `eventlake infra synth --out ${outdir}` });
  }
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as { artifacts?: Record<string, { type?: string; displayName?: string }> };
  return Object.entries(m.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([id, a]) => a.displayName ?? id);
}

function loadForInfra(cmd: Command): { config: EventlakeConfig; configDir: string } {
  const g = cmd.optsWithGlobals() as { config?: string };
  const loaded = loadConfig({ path: g.config });
  return { config: loaded.config, configDir: loaded.baseDir };
}

function printSummary(s: SynthSummary, cwd: string): void {
  const rel = (p: string) => relative(cwd, p) || '.';
  process.stdout.write(`synthesized ${s.stacks.length} stacks into ${rel(s.outdir)}\n`);
  for (const st of s.stacks) process.stdout.write(`  ${st.name.padEnd(24)} ${String(st.resources).padStart(4)} resources  ${rel(st.template)}\n`);
  for (const w of s.warnings) process.stderr.write(`warning: ${w}\n`);
}

export function register(reg: Registrar): void {
  const g = reg.group(
    'infra',
    'the AWS side as an AWS CDK app (infra/): KMS key, lake bucket, IAM, Glue/Athena, Lake Formation, Firehose,\n' +
      'Step Functions, alarms, Redshift Serverless. Every name comes from the "infra" config section.',
  );
  g.addHelpText(
    'after',
    `
Stacks (prefix infra.stackPrefix, default "Eventlake"):
  -Lake       KMS key (rotation), lake bucket (private, SSE-KMS only, TLS only, versioned, raw/ archived after
              infra.lifecycle.rawArchiveAfterDays), uploader user (PutObject on python-import/* only), Snowflake
              storage-integration role, Secrets Manager secrets (values put out of band), CloudTrail data events
  -Catalog    Glue database/tables with partition projection, Athena workgroup, Lake Formation filters per repo owner
  -Ingest     Firehose delivery stream → raw/<source>/dt=…/hour=…/ with the collector's transform Lambda
  -Pipeline   Step Functions ingest → transform → aggregate (retries, alert on failure), schedule, alarms, dashboard
  -Warehouse  Redshift Serverless namespace + workgroup + usage limit (infra.redshift.enabled)

Snowflake: deploy once, run CREATE STORAGE INTEGRATION + DESC INTEGRATION in Snowflake, copy
STORAGE_AWS_IAM_USER_ARN / STORAGE_AWS_EXTERNAL_ID into infra.snowflakeIamUserArn / infra.snowflakeExternalId,
then deploy again (until then the role trusts only this account with a placeholder external id).
No secret value is ever part of a template: put them with "aws secretsmanager put-secret-value".`,
  );

  g.command('synth')
    .description('synthesize the CloudFormation templates in-process (offline: no AWS account, no CDK CLI needed)')
    // CDK_OUTDIR is set by the CDK CLI when it runs us as its app ("app": "eventlake infra synth" in cdk.json).
    .option('-o, --out <dir>', 'cloud assembly output folder (default: $CDK_OUTDIR or cdk.out)', process.env.CDK_OUTDIR || DEFAULT_OUT)
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nExample:\n  eventlake infra synth --out cdk.out\n  eventlake -c prod.yaml infra synth --json')
    .action(async (o: { out: string; json?: boolean }, cmd: Command) => {
      const { config, configDir } = loadForInfra(cmd);
      const summary = await synthInfra(config, resolve(o.out), configDir);
      if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        printSummary(summary, process.cwd());
        process.stdout.write(`next: eventlake infra deploy --out ${o.out}\n`);
      }
    });

  g.command('deploy')
    .description('synthesize, then deploy with the AWS CDK CLI (cdk deploy --app <assembly>)')
    .argument('[stacks...]', 'stack names to deploy (default: all)')
    .option('-o, --out <dir>', 'cloud assembly output folder', DEFAULT_OUT)
    .option('--require-approval <level>', 'never | any-change | broadening (CDK CLI option)', 'broadening')
    .option('--print', 'print the cdk command instead of running it')
    .option('--no-synth', 'deploy the assembly already in --out (from an earlier "eventlake infra synth")')
    .addHelpText(
      'after',
      `
Needs AWS credentials (AWS_PROFILE, SSO, or access keys in the environment) and a CDK-bootstrapped account/region
("npx cdk bootstrap"). The CDK CLI must understand aws-cdk-lib's cloud-assembly version; if the installed one is
older, set EVENTLAKE_CDK_CLI, e.g.  EVENTLAKE_CDK_CLI="npx -y aws-cdk@latest" eventlake infra deploy

Examples:
  eventlake infra deploy --print
  eventlake infra deploy Eventlake-Lake Eventlake-Catalog --require-approval never`,
    )
    .action(async (stacks: string[], o: { out: string; requireApproval: string; print?: boolean; synth: boolean }, cmd: Command) => {
      if (!['never', 'any-change', 'broadening'].includes(o.requireApproval)) {
        throw new EventlakeError(`--require-approval must be never, any-change or broadening (got ${JSON.stringify(o.requireApproval)})`, { step: 'infra.deploy', code: 'USAGE' });
      }
      const outdir = resolve(o.out);
      let known: string[];
      if (o.synth) {
        const { config, configDir } = loadForInfra(cmd);
        const summary = await synthInfra(config, outdir, configDir);
        printSummary(summary, process.cwd());
        known = summary.stacks.map((s) => s.name);
      } else {
        known = assemblyStacks(outdir);
      }
      const unknown = stacks.filter((s) => !known.includes(s));
      if (unknown.length) {
        throw new EventlakeError(`unknown stack(s) ${unknown.join(', ')}; this config synthesizes ${known.join(', ')}`, { step: 'infra.deploy', code: 'USAGE' });
      }
      const stacksArg = stacks.length ? stacks.join(' ') : '--all';
      const argv = [...cdkCommand(), 'deploy', '--app', outdir, ...(stacks.length ? stacks : ['--all']), '--require-approval', o.requireApproval];
      if (o.print) {
        process.stdout.write(argv.join(' ') + '\n');
        return;
      }
      let res: CdkRunResult;
      try {
        res = await runCdk(argv, process.cwd());
      } catch (e) {
        throw new EventlakeError(`cannot start the CDK CLI (${argv.slice(0, 3).join(' ')}): ${(e as Error).message}`, {
          step: 'infra.deploy',
          code: 'CDK_CLI_MISSING',
          cause: e,
          next: 'npm ci (installs aws-cdk), or set EVENTLAKE_CDK_CLI="npx -y aws-cdk@latest"',
        });
      }
      if (res.code !== 0) throw classifyCdkFailure(res, outdir, stacksArg);
      process.stdout.write(`deployed: ${stacks.length ? stacks.join(', ') : known.join(', ')}\n`);
    });
}
