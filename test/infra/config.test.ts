// The infra config section: seed names by default, limits enforced with the key named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.ts';

test('defaults keep the seed names and safe settings', () => {
  const c = configSchema.parse({}).infra;
  assert.equal(c.iam.uploaderUserName, 'amplitude_python_uploader');
  assert.equal(c.iam.snowflakeRoleName, 'snowflake-amplitude-python');
  assert.equal(c.lifecycle.rawArchiveAfterDays, 90);
  assert.equal(c.removalPolicy, 'retain');
  assert.equal(c.redshift.enabled, false);
  assert.equal(c.redshift.baseCapacityRpu, 8);
  assert.equal(c.lakeFormation.enabled, false);
  assert.equal(c.athena.bytesScannedCutoffPerQuery, 10 * 1024 ** 3);
});

test('out-of-range values are rejected with the key path', () => {
  const bad = (infra: object, path: string) => {
    const r = configSchema.safeParse({ infra });
    assert.equal(r.success, false);
    assert.ok(r.error!.issues.some((i) => i.path.join('.') === path), `${path}: ${JSON.stringify(r.error!.issues.map((i) => i.path.join('.')))}`);
  };
  bad({ redshift: { baseCapacityRpu: 4 } }, 'infra.redshift.baseCapacityRpu');
  bad({ firehose: { bufferSizeMiB: 129 } }, 'infra.firehose.bufferSizeMiB');
  bad({ athena: { bytesScannedCutoffPerQuery: 1000 } }, 'infra.athena.bytesScannedCutoffPerQuery');
  bad({ secrets: { slackWebhookArn: 'https://hooks.slack.com/services/x' } }, 'infra.secrets.slackWebhookArn');
  bad({ lakeFormation: { principalArns: { a: 'role/a' } } }, 'infra.lakeFormation.principalArns.a');
  bad({ unknownKey: 1 }, 'infra');
});
