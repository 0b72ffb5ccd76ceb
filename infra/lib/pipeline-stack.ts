// Orchestration and operations on AWS: a Step Functions state machine ingest → transform → aggregate for one UTC
// day (every step retried, any failure → SNS alert → Fail), run on an EventBridge schedule; CloudWatch alarms on
// failures, timeouts, duration, Lambda errors and Firehose freshness, all to the alerts topic; and a dashboard.
// Reruns replace: before Athena writes a dt partition (or rebuilds a dimension), its objects are deleted (Distributed
// Map over S3 ListObjectsV2), so the INSERT INTO that follows never duplicates. The gold SQL is not hand-written here:
// it is rendered at synth time from the same model definition the embedded DuckDB build runs
// (src/models/github/gold-sql.ts via src/engines/athena/gold.ts dailyGoldInsert).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { bundleLambda } from './bundle.ts';
import type { InfraSettings } from './settings.ts';
import { DIM_TABLES, PER_DT_TABLES, type GoldTableName } from '../../src/models/github/gold-sql.ts';
import { dailyGoldInsert } from '../../src/engines/athena/gold.ts';
import { tableDef } from './catalog-tables.ts';
import { catalogTableName } from '../../src/models/gold-schema.ts';

export interface PipelineStackProps extends StackProps {
  bucket: s3.IBucket;
  key: kms.IKey;
  resultsBucket: s3.IBucket;
  databaseName: string;
  workgroupName: string;
  stream?: firehose.DeliveryStream;
  /** Slack webhook URL secret; alerts on the topic are forwarded to it. */
  slackWebhook?: secretsmanager.ISecret;
  transform?: lambda.IFunction;
}

const SQL_DIR = join(import.meta.dirname, '..', 'sql');
export const readSql = (name: string) => readFileSync(join(SQL_DIR, name), 'utf8');

/** State name part for a gold table: fact_events -> FactEvents. */
export const stateName = (t: string) => t.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());

/** The gold statements the pipeline runs, in order, rendered from the shared model (Glue names from the catalog). */
export function pipelineGoldSql(): { table: GoldTableName; perDt: boolean; sql: string }[] {
  const names = { events: tableDef(catalogTableName('github', 'events')).name, table: (t: GoldTableName) => tableDef(catalogTableName('github', t)).name };
  return [...PER_DT_TABLES, ...DIM_TABLES].map((t) => ({ table: t, perDt: (PER_DT_TABLES as readonly string[]).includes(t), sql: dailyGoldInsert(t, names) }));
}

export class PipelineStack extends Stack {
  readonly topic: sns.Topic;
  readonly stateMachine: sfn.StateMachine;
  readonly ingestFn: lambda.Function;

  constructor(scope: Construct, id: string, s: InfraSettings, props: PipelineStackProps) {
    super(scope, id, props);
    const cfg = s.infra.orchestration;
    const p = s.prefixes;
    const { bucket, key } = props;

    // Alerts: CloudWatch alarms need a customer-managed key they are allowed to use, hence a key of its own.
    const alertsKey = new kms.Key(this, 'AlertsKey', { enableKeyRotation: true, description: 'eventlake alerts topic' });
    alertsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Alerts', { topicName: s.infra.alerts.topicName, masterKey: alertsKey, enforceSSL: true });
    for (const email of s.infra.alerts.emails) this.topic.addSubscription(new subs.EmailSubscription(email));
    if (props.slackWebhook) {
      const slack = new lambda.Function(this, 'SlackAlert', {
        description: 'eventlake alerts → Slack (webhook URL read from Secrets Manager at run time)',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: 'index.handler',
        code: lambda.Code.fromAsset(bundleLambda(s.projectRoot, 'infra/lambda/slack-alert.ts')),
        memorySize: 128,
        timeout: Duration.seconds(30),
        environment: { SLACK_SECRET_ARN: props.slackWebhook.secretArn },
        logGroup: new logs.LogGroup(this, 'SlackAlertLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      });
      // Granted on the role only: secret.grantRead() would also edit the lake key's policy in the Lake stack and
      // make Lake depend on this stack (a cycle). The key policy already lets account principals decrypt via
      // Secrets Manager (kms:ViaService), so an identity policy is enough.
      slack.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [props.slackWebhook.secretArn] }),
      );
      slack.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
      );
      this.topic.addSubscription(new subs.LambdaSubscription(slack));
    }

    // Ingest: one GH Archive hour → raw/ per invocation (idempotent; see infra/lambda/ingest-gharchive.ts).
    const rawGithub = `${p.raw}/github`;
    this.ingestFn = new lambda.Function(this, 'IngestFn', {
      description: 'eventlake ingest: GH Archive hour → raw/github/dt=/hour=/ (exact bytes, streaming)',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleLambda(s.projectRoot, 'infra/lambda/ingest-gharchive.ts')),
      memorySize: 512,
      timeout: Duration.minutes(10),
      environment: { LAKE_BUCKET: bucket.bucketName, RAW_PREFIX: p.raw, GHARCHIVE_BASE_URL: cfg.gharchiveBaseUrl, KMS_KEY_ARN: key.keyArn },
      logGroup: new logs.LogGroup(this, 'IngestLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });
    this.ingestFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [bucket.arnForObjects(`${rawGithub}/*`)] }),
    );
    // HeadObject on a missing key answers 404 (not 403) only with ListBucket.
    this.ingestFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${rawGithub}/*`] } } }),
    );
    this.ingestFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }));

    const retry = (state: { addRetry(r: sfn.RetryProps): unknown }, errors: string[]) =>
      state.addRetry({ errors, interval: Duration.seconds(20), backoffRate: 2, maxAttempts: cfg.maxAttempts, jitterStrategy: sfn.JitterType.FULL });

    // Failure branch: every step's Catch lands here with the error under $.error.
    const alert = new tasks.SnsPublish(this, 'AlertFailure', {
      topic: this.topic,
      subject: 'eventlake pipeline failed',
      message: sfn.TaskInput.fromObject({
        pipeline: cfg.stateMachineName,
        execution: sfn.JsonPath.executionId,
        dt: sfn.JsonPath.stringAt('$.dt'),
        error: sfn.JsonPath.stringAt('$.error.Error'),
        cause: sfn.JsonPath.stringAt('$.error.Cause'),
        next: 'fix the cause, then start the state machine again with {"dt":"<same day>"} (reruns replace)',
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'Failed', { error: 'EventlakePipelineFailed', causePath: '$.error.Cause' });
    const onFailure = alert.next(failed);
    const catchTo = <T extends { addCatch(h: sfn.IChainable, p?: sfn.CatchProps): unknown }>(state: T): T => {
      state.addCatch(onFailure, { errors: ['States.ALL'], resultPath: '$.error' });
      return state;
    };

    // Window: {"dt":"YYYY-MM-DD"} when started by hand, else the UTC day of the schedule's event time.
    const deriveDt = new sfn.Pass(this, 'DeriveDt', {
      parameters: { dt: sfn.JsonPath.arrayGetItem(sfn.JsonPath.stringSplit(sfn.JsonPath.stringAt('$.time'), 'T'), 0) },
    });
    const prepare = new sfn.Pass(this, 'Prepare', {
      parameters: {
        dt: sfn.JsonPath.stringAt('$.dt'),
        hours: sfn.JsonPath.arrayRange(0, 23, 1),
        // Athena execution parameters are SQL literals: the dt is quoted here and bound to the single ? in the SQL.
        athenaParams: sfn.JsonPath.array(sfn.JsonPath.format("'{}'", sfn.JsonPath.stringAt('$.dt'))),
      },
    });
    // StringMatches only knows "*"; the dt is bound as an Athena parameter, so a malformed one fails the query
    // (and alerts) rather than injecting anything.
    const window = new sfn.Choice(this, 'HasDt')
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.dt'), sfn.Condition.stringMatches('$.dt', '*-*-*')), prepare)
      .when(sfn.Condition.isPresent('$.time'), deriveDt.next(prepare))
      .otherwise(new sfn.Fail(this, 'BadInput', { error: 'EventlakeBadInput', cause: 'start the state machine with {"dt":"YYYY-MM-DD"}' }));

    const ingestHour = new tasks.LambdaInvoke(this, 'IngestHour', { lambdaFunction: this.ingestFn, payloadResponseOnly: true });
    retry(ingestHour, ['States.TaskFailed', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException']);
    const ingest = catchTo(
      new sfn.Map(this, 'Ingest', {
        itemsPath: '$.hours',
        itemSelector: { dt: sfn.JsonPath.stringAt('$.dt'), hour: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
        maxConcurrency: 4,
        resultPath: '$.ingest',
      }).itemProcessor(ingestHour),
    );

    const silverPrefix = `${p.cleaned}/github/events`;
    let chain = prepare
      .next(ingest)
      .next(catchTo(this.clearPartition('ClearSilver', bucket, silverPrefix)))
      .next(catchTo(this.athenaRunJob('Transform', readSql('transform-github-events.sql'), props, retry)));
    // Gold: per-dt tables for the day (clear dt=…/, INSERT), then each dimension rebuilt from every partition of its
    // per-dt table (clear the table's location, INSERT).
    for (const g of pipelineGoldSql()) {
      const prefix = tableDef(catalogTableName('github', g.table)).location(p);
      const n = stateName(g.table);
      chain = chain
        .next(catchTo(this.clearPartition(`ClearGold${n}`, bucket, prefix, g.perDt)))
        .next(catchTo(this.athenaRunJob(`${g.perDt ? 'Aggregate' : 'Build'}${n}`, g.sql, props, retry, g.perDt)));
    }
    chain.next(new sfn.Succeed(this, 'Done'));

    this.stateMachine = new sfn.StateMachine(this, 'Pipeline', {
      stateMachineName: cfg.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(window),
      timeout: Duration.minutes(cfg.maxDurationMinutes * 2),
      tracingEnabled: false,
      logs: { destination: new logs.LogGroup(this, 'PipelineLogs', { retention: logs.RetentionDays.THREE_MONTHS }), level: sfn.LogLevel.ERROR },
    });
    this.grantAthena(this.stateMachine.role, s, props);

    new events.Rule(this, 'Schedule', {
      description: 'eventlake pipeline: process the current UTC day (reruns replace)',
      schedule: events.Schedule.expression(cfg.schedule),
      targets: [new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject({ time: events.EventField.time }), retryAttempts: 2 })],
    });

    this.alarmsAndDashboard(s, props);
  }

  /** Deletes every object under <prefix>/dt=<dt>/ (or all of <prefix>/) so the following INSERT INTO replaces it. */
  private clearPartition(id: string, bucket: s3.IBucket, prefix: string, perDt = true): sfn.DistributedMap {
    const del = new tasks.CallAwsService(this, `${id}Delete`, {
      service: 's3',
      action: 'deleteObject',
      parameters: { Bucket: bucket.bucketName, Key: sfn.JsonPath.stringAt('$.Key') },
      iamResources: [bucket.arnForObjects(`${prefix}/*`)],
      iamAction: 's3:DeleteObject',
    });
    return new sfn.DistributedMap(this, id, {
      itemReader: new sfn.S3ObjectsItemReader({ bucket, prefix: perDt ? sfn.JsonPath.format(`${prefix}/dt={}/`, sfn.JsonPath.stringAt('$.dt')) : `${prefix}/` }),
      maxConcurrency: 20,
      mapExecutionType: sfn.StateMachineType.EXPRESS,
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(del);
  }

  /**
   * Athena StartQueryExecution in RUN_JOB mode (.sync: waits for the query). Written as a CustomState rather than
   * tasks.AthenaStartQueryExecution because that construct grants s3:CreateBucket/s3:GetObject on "*"; the policy
   * below is scoped to the lake prefixes, the results bucket and the catalog instead (see grantAthena).
   */
  private athenaRunJob(id: string, sql: string, props: PipelineStackProps, retry: (st: sfn.CustomState, e: string[]) => unknown, withDt = true): sfn.CustomState {
    const state = new sfn.CustomState(this, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${this.partition}:states:::athena:startQueryExecution.sync`,
        Parameters: {
          QueryString: sql,
          WorkGroup: props.workgroupName,
          QueryExecutionContext: { Database: props.databaseName, Catalog: 'AwsDataCatalog' },
          ...(withDt ? { 'ExecutionParameters.$': '$.athenaParams' } : {}),
        },
        ResultSelector: {
          'queryExecutionId.$': '$.QueryExecution.QueryExecutionId',
          'dataScannedBytes.$': '$.QueryExecution.Statistics.DataScannedInBytes',
        },
        ResultPath: `$.${id.toLowerCase()}`,
      },
    });
    retry(state, ['Athena.TooManyRequestsException', 'Athena.InternalServerException', 'States.TaskFailed']);
    return state;
  }

  private grantAthena(role: iam.IRole, s: InfraSettings, props: PipelineStackProps): void {
    const p = s.prefixes;
    const { bucket, key, resultsBucket } = props;
    const stmt = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
    stmt('AthenaRun', ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'], [
      this.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workgroupName }),
    ]);
    stmt('AthenaCatalog', ['athena:GetDataCatalog'], [this.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })]);
    stmt(
      'GlueTables',
      ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition', 'glue:BatchCreatePartition', 'glue:CreatePartition'],
      [
        this.formatArn({ service: 'glue', resource: 'catalog' }),
        this.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
        this.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/*` }),
      ],
    );
    const readPrefixes = [`${p.raw}/github`, `${p.cleaned}/github`, `${p.aggregated}/github`];
    const writePrefixes = [`${p.cleaned}/github`, `${p.aggregated}/github`];
    stmt('LakeRead', ['s3:GetObject'], readPrefixes.map((x) => bucket.arnForObjects(`${x}/*`)));
    stmt('LakeWrite', ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], writePrefixes.map((x) => bucket.arnForObjects(`${x}/*`)));
    stmt('LakeList', ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'], [bucket.bucketArn]);
    stmt('Results', ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], [resultsBucket.arnForObjects('results/*')]);
    stmt('ResultsList', ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'], [resultsBucket.bucketArn]);
    stmt('LakeKey', ['kms:Decrypt', 'kms:GenerateDataKey'], [key.keyArn]);
    // Required by Athena when Lake Formation governs the tables; the action does not support resource scoping.
    stmt('LakeFormationAccess', ['lakeformation:GetDataAccess'], ['*']);
  }

  private alarmsAndDashboard(s: InfraSettings, props: PipelineStackProps): void {
    const action = new cwActions.SnsAction(this.topic);
    const sm = this.stateMachine;
    const alarm = (id: string, metric: cw.IMetric, threshold: number, description: string) => {
      const a = new cw.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(action);
      return a;
    };
    alarm('PipelineFailed', sm.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'eventlake pipeline execution failed');
    alarm('PipelineTimedOut', sm.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'eventlake pipeline execution timed out');
    alarm(
      'PipelineSlow',
      sm.metricTime({ period: Duration.minutes(5), statistic: 'Maximum' }),
      s.infra.orchestration.maxDurationMinutes * 60_000,
      `eventlake pipeline took longer than ${s.infra.orchestration.maxDurationMinutes} minutes`,
    );
    alarm('IngestErrors', this.ingestFn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'eventlake ingest Lambda errors');
    const widgets: cw.IWidget[] = [
      new cw.GraphWidget({ title: 'Pipeline executions', left: [sm.metricSucceeded(), sm.metricFailed(), sm.metricTimedOut()] }),
      new cw.GraphWidget({ title: 'Pipeline duration (ms)', left: [sm.metricTime({ statistic: 'Maximum' })] }),
      new cw.GraphWidget({ title: 'Ingest Lambda', left: [this.ingestFn.metricInvocations(), this.ingestFn.metricErrors()], right: [this.ingestFn.metricDuration()] }),
      new cw.GraphWidget({
        title: 'Athena bytes scanned',
        left: [new cw.Metric({ namespace: 'AWS/Athena', metricName: 'ProcessedBytes', dimensionsMap: { WorkGroup: props.workgroupName }, statistic: 'Sum' })],
      }),
    ];
    if (props.stream) {
      const freshness = props.stream.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', period: Duration.minutes(5) });
      // Data older than two buffer intervals (+5 min) in the stream means delivery to S3 is stuck.
      alarm('FirehoseStale', freshness, s.bufferIntervalSeconds * 2 + 300, 'eventlake Firehose delivery to S3 is behind');
      widgets.push(
        new cw.GraphWidget({ title: 'Firehose records', left: [props.stream.metricIncomingRecords(), props.stream.metric('DeliveryToS3.Records')] }),
        new cw.GraphWidget({ title: 'Firehose freshness (s)', left: [freshness] }),
      );
    }
    if (props.transform) {
      alarm('TransformErrors', props.transform.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'eventlake Firehose transform Lambda errors');
      widgets.push(new cw.GraphWidget({ title: 'Firehose transform', left: [props.transform.metricInvocations(), props.transform.metricErrors()] }));
    }
    new cw.Dashboard(this, 'Dashboard', { dashboardName: `${s.infra.stackPrefix}-lake`, widgets: [widgets] });
  }
}
