// Assertions on the synthesized CDK templates (one synth for the whole file, see fixture.ts).
// Each security property of issue 7/11 has a check that fails when the property is removed from the stack code.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Match } from 'aws-cdk-lib/assertions';
import {
  synthesized,
  resources,
  allStatements,
  statementsFor,
  logicalIdOf,
  render,
  asArray,
  OWNERS,
  EXPORTED_FILTERS,
  ANALYST_ARN,
  SNOWFLAKE_USER_ARN,
  SNOWFLAKE_EXTERNAL_ID,
  FAKE_SECRETS,
} from './fixture.ts';
import { pipelineGoldSql, stateName } from '../../infra/lib/pipeline-stack.ts';

const S = synthesized();
after(() => S.cleanup());
const T = S.templates;
const lake = T.Lake!;
const catalog = T.Catalog!;
const ingest = T.Ingest!;
const pipeline = T.Pipeline!;
const warehouse = T.Warehouse!;

const lakeBucketId = logicalIdOf(lake, 'AWS::S3::Bucket', (p) => JSON.stringify(p).includes('archive-raw'));
const lakeKeyId = logicalIdOf(lake, 'AWS::KMS::Key', () => true);
const actionsOf = (st: Record<string, any>) => asArray<string>(st.Action).slice().sort();

describe('lake stack: KMS key and bucket', () => {
  test('customer-managed key has rotation on', () => {
    lake.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('bucket blocks all public access, SSE-KMS with the CMK and bucket key, ACLs disabled, versioned', () => {
    const b = lake.toJSON().Resources[lakeBucketId].Properties;
    assert.deepEqual(b.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    const enc = b.BucketEncryption.ServerSideEncryptionConfiguration;
    assert.equal(enc.length, 1);
    assert.equal(enc[0].ServerSideEncryptionByDefault.SSEAlgorithm, 'aws:kms');
    assert.equal(render(enc[0].ServerSideEncryptionByDefault.KMSMasterKeyID), `${lakeKeyId}.Arn`);
    assert.equal(enc[0].BucketKeyEnabled, true);
    assert.deepEqual(b.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.deepEqual(b.VersioningConfiguration, { Status: 'Enabled' });
  });

  const policy = () => {
    const [, pol] = resources(lake, 'AWS::S3::BucketPolicy').find(([, r]) => r.Properties?.Bucket?.Ref === lakeBucketId)!;
    return render(pol.Properties!.PolicyDocument.Statement) as Record<string, any>[];
  };

  test('bucket policy denies non-TLS access (enforceSSL) and TLS < 1.2', () => {
    const st = policy();
    assert.ok(st.some((s) => s.Effect === 'Deny' && s.Action === 's3:*' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), 'TLS-only deny missing');
    assert.ok(st.some((s) => s.Effect === 'Deny' && s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2), 'TLS 1.2 minimum missing');
  });

  test("bucket policy has the seed's DenyUnEncryptedObjectUploads and wrong-header denies", () => {
    const st = policy();
    const byId = (sid: string) => st.find((s) => s.Sid === sid);
    const noHeader = byId('DenyUnEncryptedObjectUploads');
    assert.ok(noHeader, 'DenyUnEncryptedObjectUploads missing');
    assert.equal(noHeader.Effect, 'Deny');
    assert.equal(noHeader.Action, 's3:PutObject');
    assert.deepEqual(noHeader.Condition, { Null: { 's3:x-amz-server-side-encryption': 'true' } });
    const wrong = byId('DenyIncorrectEncryptionHeader');
    assert.deepEqual(wrong?.Condition, { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } });
    const otherKey = byId('DenyOtherKmsKeys');
    assert.deepEqual(otherKey?.Condition, { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': `${lakeKeyId}.Arn` } });
  });

  test('lifecycle: only raw/ transitions to the archive tier (never python-import/ or other prefixes), after the configured days', () => {
    const rules = lake.toJSON().Resources[lakeBucketId].Properties.LifecycleConfiguration.Rules as Record<string, any>[];
    const transitioning = rules.filter((r) => r.Transitions?.length || r.NoncurrentVersionTransitions?.length);
    assert.equal(transitioning.length, 1, 'exactly one transitioning rule');
    const raw = transitioning[0]!;
    assert.equal(raw.Status, 'Enabled');
    assert.equal(raw.Prefix, 'raw/', 'the archive rule must be filtered to raw/');
    assert.deepEqual(raw.Transitions, [{ StorageClass: 'GLACIER', TransitionInDays: 120 }]);
    for (const key of ['python-import/amplitude/x.json.gz', 'cleaned/github/events/dt=2026-01-01/a.parquet', 'aggregated/github/fact_events/x.parquet', '_eventlake/manifests/x']) {
      assert.ok(!transitioning.some((r) => key.startsWith(r.Prefix ?? '') ), `${key} would be archived`);
    }
    assert.ok(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 7), 'abort incomplete multipart uploads');
    assert.ok(rules.some((r) => r.NoncurrentVersionExpiration?.NoncurrentDays === 30), 'noncurrent versions expire');
  });
});

describe('lake stack: identities', () => {
  test('uploader user may only PutObject on python-import/* and use the key to encrypt (no Get/List/Delete)', () => {
    const userId = logicalIdOf(lake, 'AWS::IAM::User', (p) => p.UserName === 'amplitude_python_uploader');
    const st = render(statementsFor(lake, userId)) as Record<string, any>[];
    assert.equal(st.length, 2, JSON.stringify(st));
    const s3 = st.find((s) => actionsOf(s).some((a) => a.startsWith('s3:')))!;
    assert.deepEqual(actionsOf(s3), ['s3:PutObject']);
    assert.deepEqual(asArray(s3.Resource), [`${lakeBucketId}.Arn/python-import/*`]);
    const kms = st.find((s) => actionsOf(s).some((a) => a.startsWith('kms:')))!;
    assert.deepEqual(actionsOf(kms), ['kms:Encrypt', 'kms:GenerateDataKey']);
    assert.deepEqual(asArray(kms.Resource), [`${lakeKeyId}.Arn`]);
    for (const s of st) {
      assert.equal(s.Effect, 'Allow');
      for (const a of actionsOf(s)) assert.ok(!/^s3:(Get|List|Delete)|\*/.test(a), `uploader must not have ${a}`);
    }
    // No access keys in the template: keys are created out of band, never synthesized.
    assert.equal(resources(lake, 'AWS::IAM::AccessKey').length, 0);
  });

  test('Snowflake role trusts only STORAGE_AWS_IAM_USER_ARN with the sts:ExternalId condition', () => {
    const roleId = logicalIdOf(lake, 'AWS::IAM::Role', (p) => p.RoleName === 'snowflake-amplitude-python');
    const trust = lake.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement as Record<string, any>[];
    assert.equal(trust.length, 1);
    assert.deepEqual(render(trust[0]), {
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: SNOWFLAKE_USER_ARN },
      Condition: { StringEquals: { 'sts:ExternalId': SNOWFLAKE_EXTERNAL_ID } },
    });
  });

  test('Snowflake role: exact read actions on the stage prefix, ListBucket limited by prefix, kms:Decrypt', () => {
    const roleId = logicalIdOf(lake, 'AWS::IAM::Role', (p) => p.RoleName === 'snowflake-amplitude-python');
    const st = render(statementsFor(lake, roleId)) as Record<string, any>[];
    const all = st.flatMap(actionsOf).sort();
    assert.deepEqual(all, ['kms:Decrypt', 's3:GetBucketLocation', 's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket']);
    const get = st.find((s) => actionsOf(s).includes('s3:GetObject'))!;
    assert.deepEqual(asArray(get.Resource), [`${lakeBucketId}.Arn/python-import/*`]);
    const list = st.find((s) => actionsOf(s).includes('s3:ListBucket'))!;
    assert.deepEqual(list.Condition, { StringLike: { 's3:prefix': ['python-import/*'] } });
    assert.deepEqual(asArray(st.find((s) => actionsOf(s).includes('kms:Decrypt'))!.Resource), [`${lakeKeyId}.Arn`]);
  });

  test('secrets are created with generated placeholders (no SecretString), encrypted with the lake key', () => {
    const secrets = resources(lake, 'AWS::SecretsManager::Secret');
    assert.deepEqual(secrets.map(([, r]) => r.Properties!.Name).sort(), ['eventlake/github-token', 'eventlake/slack-webhook']);
    for (const [, r] of secrets) {
      assert.equal(r.Properties!.SecretString, undefined);
      assert.ok(r.Properties!.GenerateSecretString);
      assert.equal(render(r.Properties!.KmsKeyId), `${lakeKeyId}.Arn`);
    }
  });

  test('CloudTrail records data events for the lake bucket', () => {
    const trails = resources(lake, 'AWS::CloudTrail::Trail');
    assert.equal(trails.length, 1);
    const selectors = render(trails[0]![1].Properties!.EventSelectors) as Record<string, any>[];
    const data = selectors.flatMap((s) => s.DataResources ?? []);
    assert.ok(data.some((d: any) => d.Type === 'AWS::S3::Object' && asArray(d.Values).some((v: string) => v.startsWith(`${lakeBucketId}.Arn/`))), JSON.stringify(selectors));
    assert.equal(trails[0]![1].Properties!.EnableLogFileValidation, true);
  });
});

describe('catalog stack: Glue, Athena, Lake Formation', () => {
  const tables = () => Object.fromEntries(resources(catalog, 'AWS::Glue::Table').map(([, r]) => [r.Properties!.TableInput.Name, render(r.Properties!.TableInput)])) as Record<string, any>;

  test('silver and gold tables use partition projection on dt with a location template', () => {
    const t = tables();
    for (const name of ['github_events', 'github_fact_events', 'amplitude_events', 'amplitude_daily_events']) {
      const p = t[name].Parameters;
      assert.equal(p['projection.enabled'], 'true', name);
      assert.equal(p['projection.dt.type'], 'date');
      assert.equal(p['projection.dt.format'], 'yyyy-MM-dd');
      assert.equal(p['projection.dt.range'], 'NOW-3YEARS,NOW');
      assert.match(p['storage.location.template'], /\/dt=\$\{dt\}\/$/);
      assert.ok(p['storage.location.template'].startsWith(t[name].StorageDescriptor.Location), 'template under the table location');
      assert.deepEqual(t[name].PartitionKeys, [{ Name: 'dt', Type: 'string' }]);
      assert.equal(t[name].StorageDescriptor.SerdeInfo.SerializationLibrary, 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      assert.ok(!t[name].StorageDescriptor.Columns.some((c: any) => c.Name === 'dt'), 'partition column not repeated in columns');
    }
    assert.match(t.github_events.StorageDescriptor.Location, /\/cleaned\/github\/events\/$/);
    assert.match(t.github_fact_events.StorageDescriptor.Location, /\/aggregated\/github\/fact_events\/$/);
    assert.equal(t.raw_github_events.Parameters['projection.hour.digits'], '2');
    assert.match(t.raw_github_events.Parameters['storage.location.template'], /\/raw\/github\/dt=\$\{dt\}\/hour=\$\{hour\}\/$/);
    assert.equal(t.github_dim_repo.Parameters['projection.enabled'], undefined, 'unpartitioned gold has no projection');
  });

  test('Athena workgroup: enforced, KMS-encrypted results, bytes-scanned cutoff', () => {
    const wg = render(resources(catalog, 'AWS::Athena::WorkGroup')[0]![1].Properties) as Record<string, any>;
    const c = wg.WorkGroupConfiguration;
    assert.equal(c.EnforceWorkGroupConfiguration, true);
    assert.equal(c.BytesScannedCutoffPerQuery, 5_000_000_000);
    assert.equal(c.ResultConfiguration.EncryptionConfiguration.EncryptionOption, 'SSE_KMS');
    assert.match(c.ResultConfiguration.EncryptionConfiguration.KmsKey, /LakeKey/);
    assert.match(c.ResultConfiguration.OutputLocation, /^s3:\/\/AthenaResults[0-9A-F]+\/results\/$/);
  });

  test('Lake Formation: one data cells filter per owner and table, repo_id IN (ids), PII columns excluded', () => {
    const filters = resources(catalog, 'AWS::LakeFormation::DataCellsFilter').map(([, r]) => r.Properties!);
    assert.equal(filters.length, OWNERS.length * 3 + EXPORTED_FILTERS.length);
    const byName = Object.fromEntries(filters.map((f) => [f.Name, f]));
    assert.equal(byName.acme_fact_events.RowFilter.FilterExpression, 'repo_id IN (101, 102, 103)');
    assert.equal(byName.globex_fact_events.RowFilter.FilterExpression, 'repo_id IN (201)');
    assert.deepEqual(byName.acme_github_events.ColumnWildcard.ExcludedColumnNames, ['actor_login', 'payload']);
    assert.deepEqual(byName.acme_dim_repo.ColumnWildcard.ExcludedColumnNames, []);
    assert.equal(byName.acme_github_events.TableName, 'github_events');
    // Config names gold tables as the model does (fact_events); the filter is on the catalog table.
    assert.equal(byName.acme_fact_events.TableName, 'github_fact_events');
  });

  test("Lake Formation: each filter is granted SELECT to its owner's principal only", () => {
    const grants = resources(catalog, 'AWS::LakeFormation::PrincipalPermissions').map(([, r]) => r.Properties!);
    assert.equal(grants.length, OWNERS.length * 3 + EXPORTED_FILTERS.length);
    for (const g of grants) {
      const name: string = g.Resource.DataCellsFilter.Name;
      if (name === 'eventlake_analyst_fact_events') {
        assert.equal(g.Principal.DataLakePrincipalIdentifier, ANALYST_ARN);
        continue;
      }
      const owner = OWNERS.find((o) => name.startsWith(`${o.name}_`))!;
      assert.equal(g.Principal.DataLakePrincipalIdentifier, owner.principalArn, name);
      assert.deepEqual(g.Permissions, ['SELECT']);
      assert.deepEqual(g.PermissionsWithGrantOption, []);
    }
    catalog.resourceCountIs('AWS::LakeFormation::Resource', 1);
  });

  test('filters exported by the governance module (infra.lakeFormation.filtersFile) are created and granted too', () => {
    catalog.hasResourceProperties('AWS::LakeFormation::DataCellsFilter', {
      Name: 'eventlake_analyst_fact_events',
      TableName: 'github_fact_events',
      RowFilter: { AllRowsWildcard: {} },
      ColumnWildcard: { ExcludedColumnNames: ['user_id'] },
    });
  });
});

describe('ingest stack: Firehose', () => {
  const dest = () => render(resources(ingest, 'AWS::KinesisFirehose::DeliveryStream')[0]![1].Properties!.ExtendedS3DestinationConfiguration) as Record<string, any>;

  test('buffering (from the collector config), GZIP, dt=/hour= prefix and error prefix', () => {
    const d = dest();
    assert.deepEqual(d.BufferingHints, { IntervalInSeconds: 120, SizeInMBs: 64 });
    assert.equal(d.CompressionFormat, 'GZIP');
    assert.equal(d.Prefix, 'raw/github/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/');
    assert.match(d.ErrorOutputPrefix, /^raw-errors\/github\/!\{firehose:error-output-type\}\//);
    assert.match(d.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN, /LakeKey/);
  });

  test("Firehose role is limited to its own prefixes (no DeleteObject, no whole-bucket object access)", () => {
    const roleId = logicalIdOf(ingest, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('firehose.amazonaws.com'));
    const st = render(statementsFor(ingest, roleId)) as Record<string, any>[];
    const s3 = st.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    for (const s of s3) {
      for (const a of actionsOf(s)) assert.ok(!/Delete|\*/.test(a), `firehose role has ${a}`);
      for (const r of asArray<string>(s.Resource)) assert.ok(!r.endsWith('.Arn/*') && !/ArnF3D61E7E\/\*$/.test(r), `whole-bucket object grant ${r}`);
    }
    const objects = s3.find((s) => actionsOf(s).includes('s3:PutObject'))!;
    assert.deepEqual(asArray<string>(objects.Resource).map((r) => r.replace(/^.*?\//, '')), ['raw/github/dt=*', 'raw-errors/github/*']);
  });

  test('the transform Lambda is bundled from src/collector/firehose-transform.ts and behaves like the contract', async () => {
    const d = dest();
    const proc = d.ProcessingConfiguration;
    assert.equal(proc.Enabled, true);
    assert.equal(proc.Processors[0].Type, 'Lambda');
    const fnId = logicalIdOf(ingest, 'AWS::Lambda::Function', (p) => String(p.Description).includes('Firehose transform'));
    assert.ok(proc.Processors[0].Parameters.some((p: any) => p.ParameterName === 'LambdaArn' && String(p.ParameterValue).startsWith(fnId)));
    // Run the bundled asset itself: one valid event, one broken record.
    const hash = String(ingest.toJSON().Resources[fnId].Properties.Code.S3Key).replace(/\.zip$/, '');
    const mod = (await import(pathToFileURL(join(S.dir, 'assembly', `asset.${hash}`, 'index.mjs')).href)) as { handler: (e: unknown) => Promise<{ records: any[] }> };
    const ev = { id: '1', type: 'PushEvent', actor: { id: 1, login: 'a' }, repo: { id: 2, name: 'a/b' }, created_at: '2026-01-01T00:00:00Z' };
    const out = await mod.handler({
      invocationId: 'i',
      records: [
        { recordId: 'r1', data: Buffer.from(JSON.stringify(ev)).toString('base64') },
        { recordId: 'r2', data: Buffer.from('{not json').toString('base64') },
      ],
    });
    assert.deepEqual(out.records.map((r) => [r.recordId, r.result]), [['r1', 'Ok'], ['r2', 'ProcessingFailed']]);
    assert.equal(JSON.parse(Buffer.from(out.records[0].data, 'base64').toString()).id, '1');
  });
});

describe('pipeline stack: Step Functions, schedule, alerts', () => {
  const smId = logicalIdOf(pipeline, 'AWS::StepFunctions::StateMachine', () => true);
  const topicId = logicalIdOf(pipeline, 'AWS::SNS::Topic', () => true);
  const definition = () => JSON.parse(render(pipeline.toJSON().Resources[smId].Properties.DefinitionString)) as { StartAt: string; States: Record<string, any> };

  test('ingest → transform → aggregate in order, Athena steps run as RUN_JOB (.sync) with the dt bound as a parameter', () => {
    const d = definition();
    const order: string[] = [];
    for (let cur: string | undefined = 'Prepare'; cur; cur = d.States[cur]?.Next) order.push(cur);
    assert.deepEqual(order, [
      'Prepare', 'Ingest', 'ClearSilver', 'Transform',
      'ClearGoldFactEvents', 'AggregateFactEvents', 'ClearGoldRepoDaily', 'AggregateRepoDaily', 'ClearGoldUserDaily', 'AggregateUserDaily',
      'ClearGoldDimRepo', 'BuildDimRepo', 'ClearGoldDimUser', 'BuildDimUser', 'ClearGoldDimDate', 'BuildDimDate', 'Done',
    ]);
    for (const name of ['Transform', 'AggregateFactEvents', 'AggregateRepoDaily', 'AggregateUserDaily']) {
      const st = d.States[name];
      assert.match(st.Resource, /:states:::athena:startQueryExecution\.sync$/);
      assert.equal(st.Parameters.WorkGroup, 'eventlake');
      assert.equal(st.Parameters['ExecutionParameters.$'], '$.athenaParams');
      assert.equal((st.Parameters.QueryString.match(/\?/g) ?? []).length, 1, 'exactly one positional parameter');
    }
    // Dimensions read every partition of their per-dt table: no parameter (Athena rejects unused ones).
    for (const name of ['BuildDimRepo', 'BuildDimUser', 'BuildDimDate']) {
      const st = d.States[name];
      assert.match(st.Resource, /:states:::athena:startQueryExecution\.sync$/);
      assert.equal(st.Parameters['ExecutionParameters.$'], undefined);
      assert.equal((st.Parameters.QueryString.match(/\?/g) ?? []).length, 0);
    }
    assert.match(d.States.Transform.Parameters.QueryString, /INSERT INTO github_events/);
    // The gold SQL is the shared model rendered at synth time, not a hand-written copy.
    for (const g of pipelineGoldSql()) assert.equal(d.States[`${g.perDt ? 'Aggregate' : 'Build'}${stateName(g.table)}`].Parameters.QueryString, g.sql);
    assert.match(d.States.AggregateFactEvents.Parameters.QueryString, /^INSERT INTO "github_fact_events" \("repo_id", "user_id", "event_type", "event_count", "dt"\)/);
    assert.equal(d.States.Ingest.Type, 'Map');
    assert.equal(d.States.Ingest.ItemProcessor.States.IngestHour.Type, 'Task');
  });

  test('the window comes from {"dt"} or the schedule time; anything else fails fast', () => {
    const d = definition();
    assert.equal(d.StartAt, 'HasDt');
    const choices = d.States.HasDt.Choices as Record<string, any>[];
    assert.equal(choices[0]!.Next, 'Prepare');
    assert.equal(choices[1]!.Variable, '$.time');
    assert.equal(choices[1]!.Next, 'DeriveDt');
    assert.equal(d.States[d.States.HasDt.Default].Type, 'Fail');
    assert.equal(d.States.DeriveDt.Parameters['dt.$'], "States.ArrayGetItem(States.StringSplit($.time, 'T'), 0)");
    assert.equal(d.States.Prepare.Parameters['athenaParams.$'], "States.Array(States.Format('\\'{}\\'', $.dt))");
  });

  test('reruns replace: each Athena write is preceded by clearing exactly its dt partition', () => {
    const d = definition();
    assert.equal(d.States.ClearSilver.ItemReader.Parameters['Prefix.$'], "States.Format('cleaned/github/events/dt={}/', $.dt)");
    for (const t of ['fact_events', 'repo_daily', 'user_daily']) {
      assert.equal(d.States[`ClearGold${stateName(t)}`].ItemReader.Parameters['Prefix.$'], `States.Format('aggregated/github/${t}/dt={}/', $.dt)`);
    }
    // A dimension is rebuilt whole from all partitions, so its whole location is cleared first.
    for (const t of ['dim_repo', 'dim_user', 'dim_date']) assert.equal(d.States[`ClearGold${stateName(t)}`].ItemReader.Parameters.Prefix, `aggregated/github/${t}/`);
    assert.match(d.States.ClearSilver.ItemProcessor.States.ClearSilverDelete.Resource, /aws-sdk:s3:deleteObject$/);
  });

  test('every work step retries and catches into the SNS alert, which ends in Fail', () => {
    const d = definition();
    for (const name of ['Ingest', 'ClearSilver', 'Transform', 'ClearGoldFactEvents', 'AggregateFactEvents', 'ClearGoldDimDate', 'BuildDimDate']) {
      const st = d.States[name];
      assert.ok(st.Catch?.some((c: any) => c.ErrorEquals.includes('States.ALL') && c.Next === 'AlertFailure' && c.ResultPath === '$.error'), `${name} catch`);
    }
    for (const st of [d.States.Transform, d.States.AggregateFactEvents, d.States.BuildDimRepo, d.States.Ingest.ItemProcessor.States.IngestHour]) {
      const r = st.Retry.find((x: any) => x.ErrorEquals.includes('States.TaskFailed'));
      assert.ok(r && r.MaxAttempts === 3 && r.BackoffRate === 2, JSON.stringify(st.Retry));
    }
    const alert = d.States.AlertFailure;
    assert.match(alert.Resource, /:states:::sns:publish$/);
    assert.equal(alert.Parameters.TopicArn, topicId);
    assert.equal(alert.Next, 'Failed');
    assert.equal(d.States.Failed.Type, 'Fail');
  });

  test('state machine role: scoped Athena/S3 access, no s3:CreateBucket and no object access on "*"', () => {
    const roleId = logicalIdOf(pipeline, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('states.amazonaws.com'));
    const st = render(statementsFor(pipeline, roleId)) as Record<string, any>[];
    const actions = st.flatMap(actionsOf);
    assert.ok(actions.includes('athena:StartQueryExecution'));
    assert.ok(!actions.includes('s3:CreateBucket'));
    for (const s of st) if (asArray(s.Resource).includes('*')) for (const a of actionsOf(s)) assert.ok(!a.startsWith('s3:') && !a.startsWith('glue:') && !a.startsWith('athena:'), `${a} on *`);
    const write = st.find((s) => s.Sid === 'LakeWrite')!;
    assert.deepEqual(asArray<string>(write.Resource).map((r) => r.replace(/^.*?\//, '')), ['cleaned/github/*', 'aggregated/github/*']);
  });

  test('alerts are forwarded to Slack by a Lambda that may only read the webhook secret', () => {
    const fnId = logicalIdOf(pipeline, 'AWS::Lambda::Function', (p) => String(p.Description).includes('Slack'));
    pipeline.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: topicId }, Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] } });
    const roleId = render(pipeline.toJSON().Resources[fnId].Properties.Role).replace(/\.Arn$/, '');
    const st = render(statementsFor(pipeline, roleId)) as Record<string, any>[];
    assert.deepEqual(st.flatMap(actionsOf).sort(), ['kms:Decrypt', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    assert.match(asArray<string>(st.find((x) => actionsOf(x).includes('secretsmanager:GetSecretValue'))!.Resource)[0]!, /SlackWebhook/);
    assert.deepEqual(st.find((x) => actionsOf(x).includes('kms:Decrypt'))!.Condition, { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } });
  });

  test('EventBridge schedule starts the state machine with the event time', () => {
    const rules = resources(pipeline, 'AWS::Events::Rule');
    assert.equal(rules.length, 1);
    const r = render(rules[0]![1].Properties) as Record<string, any>;
    assert.equal(r.ScheduleExpression, 'cron(20 * * * ? *)');
    assert.equal(r.Targets[0].Arn, smId);
    assert.deepEqual(r.Targets[0].InputTransformer.InputPathsMap, { time: '$.time' });
  });

  test('alarms on failures, timeouts, duration, Lambda errors and Firehose freshness all notify the topic', () => {
    const alarms = resources(pipeline, 'AWS::CloudWatch::Alarm').map(([, r]) => render(r.Properties) as Record<string, any>);
    const metrics = alarms.map((a) => a.MetricName).sort();
    assert.deepEqual(metrics, ['DeliveryToS3.DataFreshness', 'Errors', 'Errors', 'ExecutionTime', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    assert.equal(alarms.length, 6);
    for (const a of alarms) assert.deepEqual(a.AlarmActions, [topicId]);
    assert.equal(alarms.find((a) => a.MetricName === 'ExecutionTime')!.Threshold, 50 * 60_000);
    pipeline.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    pipeline.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    pipeline.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('warehouse stack: Redshift Serverless', () => {
  test('namespace: Redshift-managed admin password, CMK, the IAM role as default', () => {
    const ns = render(resources(warehouse, 'AWS::RedshiftServerless::Namespace')[0]![1].Properties) as Record<string, any>;
    assert.equal(ns.ManageAdminPassword, true);
    assert.equal(ns.AdminUserPassword, undefined);
    assert.match(ns.KmsKeyId, /LakeKey/);
    const roleId = logicalIdOf(warehouse, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('redshift'));
    assert.deepEqual(ns.IamRoles, [`${roleId}.Arn`]);
    assert.equal(ns.DefaultIamRoleArn, `${roleId}.Arn`);
  });

  test('workgroup: small base capacity, capped, private', () => {
    warehouse.hasResourceProperties('AWS::RedshiftServerless::Workgroup', { BaseCapacity: 8, MaxCapacity: 32, PubliclyAccessible: false, NamespaceName: 'eventlake' });
  });

  test('usage limit is created on the workgroup with the configured RPU-hours and breach action', () => {
    const cr = resources(warehouse, 'Custom::AWS');
    assert.equal(cr.length, 1);
    const create = JSON.parse(render(cr[0]![1].Properties!.Create));
    assert.equal(create.action, 'CreateUsageLimit');
    assert.equal(create.parameters.usageType, 'serverless-compute');
    assert.equal(create.parameters.amount, 12);
    assert.equal(create.parameters.period, 'daily');
    assert.equal(create.parameters.breachAction, 'deactivate');
    assert.match(create.parameters.resourceArn, /Workgroup/);
    assert.ok(cr[0]![1].Properties!.Delete, 'usage limit is deleted with the stack');
  });

  test('Redshift role: read-only on gold and the Glue catalog', () => {
    const roleId = logicalIdOf(warehouse, 'AWS::IAM::Role', (p) => JSON.stringify(p.AssumeRolePolicyDocument).includes('redshift'));
    const st = render(statementsFor(warehouse, roleId)) as Record<string, any>[];
    for (const a of st.flatMap(actionsOf)) assert.ok(/^(s3:(GetObject|ListBucket|GetBucketLocation)|kms:Decrypt|glue:(Get|BatchGet)\w+)$/.test(a), `unexpected ${a}`);
    const get = st.find((s) => s.Sid === 'ReadGold')!;
    assert.deepEqual(asArray<string>(get.Resource).map((r) => r.replace(/^.*?\//, '')), ['aggregated/*']);
  });
});

describe('every template', () => {
  const names = Object.keys(T);

  test('all five stacks synthesize', () => {
    assert.deepEqual(names.sort(), ['Catalog', 'Ingest', 'Lake', 'Pipeline', 'Warehouse']);
  });

  test('no Allow statement has a wildcard principal; no "*", "s3:*" or "iam:*" action is ever allowed', () => {
    for (const n of names) {
      for (const { where, stmt } of allStatements(T[n]!)) {
        const s = render(stmt) as Record<string, any>;
        if (s.Effect !== 'Allow') continue;
        const p = s.Principal;
        const principals = p === undefined ? [] : p === '*' ? ['*'] : Object.values(p).flatMap((v) => asArray(v));
        assert.ok(!principals.includes('*'), `${n}/${where}: wildcard principal`);
        for (const a of actionsOf(s)) {
          assert.ok(!['*', 's3:*', 'iam:*', 'sts:*', 'glue:*', 'athena:*'].includes(a), `${n}/${where}: allows ${a}`);
          // kms:* only in a key's own policy for the account root (CDK's default delegation to IAM).
          if (a === 'kms:*') assert.match(String(principals[0]), /:iam::\d{12}:root$/, `${n}/${where}: kms:*`);
        }
      }
    }
  });

  test('Resource "*" is used only for actions that cannot be scoped', () => {
    const unscopable = /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|lakeformation:GetDataAccess|xray:\w+)$/;
    for (const n of names) {
      for (const { where, stmt } of allStatements(T[n]!)) {
        const s = render(stmt) as Record<string, any>;
        if (s.Effect !== 'Allow' || !asArray(s.Resource).includes('*')) continue;
        if (s.Principal) continue; // resource policies (KMS key policies): "*" means "this key"
        for (const a of actionsOf(s)) assert.match(a, unscopable, `${n}/${where}: ${a} on "*"`);
      }
    }
  });

  test('every bucket blocks public access, is encrypted and has a TLS-only policy', () => {
    for (const n of names) {
      const policies = resources(T[n]!, 'AWS::S3::BucketPolicy').map(([, r]) => render(r.Properties) as Record<string, any>);
      for (const [id, b] of resources(T[n]!, 'AWS::S3::Bucket')) {
        const p = b.Properties!;
        assert.deepEqual(p.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }, `${n}/${id}`);
        assert.ok(p.BucketEncryption?.ServerSideEncryptionConfiguration?.length, `${n}/${id} encryption`);
        const pol = policies.find((x) => x.Bucket === id);
        assert.ok(pol?.PolicyDocument.Statement.some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), `${n}/${id} TLS-only`);
      }
    }
  });

  test('no plaintext secrets: no secret-valued properties, no env secret values, no credential patterns in any synthesized file', () => {
    const forbiddenKeys = new Set(['SecretString', 'AdminUserPassword', 'MasterUserPassword', 'Password', 'SecretAccessKey', 'PrivateKey']);
    const walk = (x: unknown, path: string) => {
      if (Array.isArray(x)) x.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (x && typeof x === 'object') {
        for (const [k, v] of Object.entries(x)) {
          assert.ok(!(forbiddenKeys.has(k) && typeof v === 'string'), `${path}.${k} holds a literal secret`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    for (const n of names) walk(S.json[n], n);
    const patterns = [/AKIA[0-9A-Z]{16}/, /gh[pousr]_[A-Za-z0-9]{20,}/, /xox[abposr]-[A-Za-z0-9-]{10,}/, /hooks\.slack\.com\/services\/T/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];
    const files: string[] = [];
    const collect = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) collect(p);
        else files.push(p);
      }
    };
    collect(S.dir);
    assert.ok(files.some((f) => f.endsWith('.template.json')) && files.some((f) => f.endsWith('index.mjs')), 'templates and bundled assets are scanned');
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const v of Object.values(FAKE_SECRETS)) assert.ok(!text.includes(v), `${f} contains a secret value from the environment`);
      for (const re of patterns) assert.ok(!re.test(text), `${f} matches ${re}`);
    }
  });
});

describe('snapshots', () => {
  // Reviewable record of every template. After an intended change: UPDATE_SNAPSHOTS=1 npm test -- test/infra/stacks
  // Asset hashes are normalised so edits to bundled Lambda code do not churn the snapshots.
  const dir = join(import.meta.dirname, '__snapshots__');
  const normalise = (t: unknown) => JSON.parse(JSON.stringify(t).replace(/[0-9a-f]{64}/g, '<asset-hash>')) as unknown;
  for (const name of ['Lake', 'Catalog', 'Ingest', 'Pipeline', 'Warehouse']) {
    test(`${name} stack matches its snapshot`, () => {
      const file = join(dir, `${name}.template.json`);
      const actual = normalise(S.json[name]);
      if (process.env.UPDATE_SNAPSHOTS === '1') {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, JSON.stringify(actual, null, 1) + '\n');
      }
      assert.ok(existsSync(file), `missing snapshot ${file}: run UPDATE_SNAPSHOTS=1 npm test -- test/infra/stacks`);
      assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')), `${name} template changed: review, then UPDATE_SNAPSHOTS=1 npm test -- test/infra/stacks`);
    });
  }
});
