// The eventlake AWS CDK app: builds every stack from the loaded config and synthesizes in-process (no CDK CLI
// needed, works offline). `eventlake infra synth|deploy` and the tests call buildApp/synthApp.
import { App, Tags, type Stack, type Environment } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { EventlakeConfig } from '../src/config/schema.ts';
import { settingsFrom } from './lib/settings.ts';
import { cleanBundles } from './lib/bundle.ts';
import { LakeStack } from './lib/lake-stack.ts';
import { CatalogStack } from './lib/catalog-stack.ts';
import { IngestStack } from './lib/ingest-stack.ts';
import { PipelineStack } from './lib/pipeline-stack.ts';
import { WarehouseStack } from './lib/warehouse-stack.ts';

export interface EventlakeStacks {
  lake: LakeStack;
  catalog: CatalogStack;
  ingest?: IngestStack;
  pipeline?: PipelineStack;
  warehouse?: WarehouseStack;
}

export interface BuildOptions {
  /** Project root (for bundling Lambda code from the project's sources). */
  projectRoot: string;
  /** Cloud assembly output folder (default: a temp folder chosen by CDK). */
  outdir?: string;
}

export function buildApp(config: EventlakeConfig, opts: BuildOptions): { app: App; stacks: EventlakeStacks; all: Stack[] } {
  const s = settingsFrom(config, opts.projectRoot);
  const cfg = s.infra;
  const app = new App({ outdir: opts.outdir, context: { 'aws:cdk:enable-path-metadata': false } });
  const env: Environment = { account: cfg.account, region: cfg.region };
  const name = (n: string) => `${cfg.stackPrefix}-${n}`;

  const lake = new LakeStack(app, name('Lake'), s, { env, description: 'eventlake: KMS key, lake bucket, uploader, Snowflake role, secrets, CloudTrail' });
  const catalog = new CatalogStack(app, name('Catalog'), s, { env, bucket: lake.bucket, key: lake.key, description: 'eventlake: Glue catalog, Athena workgroup, Lake Formation filters' });
  const stacks: EventlakeStacks = { lake, catalog };
  if (cfg.firehose.enabled) {
    stacks.ingest = new IngestStack(app, name('Ingest'), s, { env, bucket: lake.bucket, key: lake.key, description: 'eventlake: Firehose collector into raw/' });
  }
  if (cfg.orchestration.enabled) {
    stacks.pipeline = new PipelineStack(app, name('Pipeline'), s, {
      env,
      bucket: lake.bucket,
      key: lake.key,
      resultsBucket: catalog.resultsBucket,
      databaseName: catalog.databaseName,
      workgroupName: catalog.workgroupName,
      stream: stacks.ingest?.stream,
      transform: stacks.ingest?.transform,
      description: 'eventlake: Step Functions pipeline, schedule, alerts, alarms, dashboard',
    });
    stacks.pipeline.addStackDependency(catalog);
  }
  if (cfg.redshift.enabled) {
    stacks.warehouse = new WarehouseStack(app, name('Warehouse'), s, {
      env,
      bucket: lake.bucket,
      key: lake.key,
      databaseName: catalog.databaseName,
      description: 'eventlake: Redshift Serverless over gold',
    });
  }
  const all = Object.values(stacks).filter((x): x is Stack => Boolean(x));
  for (const st of all) for (const [k, v] of Object.entries(cfg.tags)) Tags.of(st).add(k, v);
  return { app, stacks, all };
}

/** Builds and synthesizes the app; returns the cloud assembly (templates under assembly.directory). */
export function synthApp(config: EventlakeConfig, opts: BuildOptions): { assembly: CloudAssembly; stacks: EventlakeStacks; all: Stack[] } {
  const built = buildApp(config, opts);
  try {
    const assembly = built.app.synth();
    return { assembly, stacks: built.stacks, all: built.all };
  } finally {
    cleanBundles();
  }
}
