// The lake itself and who may touch it: the customer-managed KMS key, the lake bucket (private, SSE-KMS only,
// TLS only, ACLs off, versioned, raw/ archived after N days), the seed's uploader user (write-only to the Snowflake
// stage prefix), the Snowflake storage-integration role, the secrets (referenced, never valued here) and a
// CloudTrail trail recording the bucket's data events.
import { Duration, Stack, type StackProps, Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import { removalPolicy, type InfraSettings } from './settings.ts';

/** Placeholder used until Snowflake's DESC INTEGRATION gives the real external id (see `eventlake infra --help`). */
export const PLACEHOLDER_EXTERNAL_ID = 'eventlake-set-snowflakeExternalId';

const ARCHIVE_CLASS: Record<string, s3.StorageClass> = {
  GLACIER: s3.StorageClass.GLACIER,
  DEEP_ARCHIVE: s3.StorageClass.DEEP_ARCHIVE,
  GLACIER_INSTANT_RETRIEVAL: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
};

export class LakeStack extends Stack {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly uploader: iam.User;
  readonly snowflakeRole: iam.Role;
  readonly githubToken: secretsmanager.ISecret;
  readonly slackWebhook: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, s: InfraSettings, props?: StackProps) {
    super(scope, id, props);
    const cfg = s.infra;
    const p = s.prefixes;
    const retain = removalPolicy(s);

    this.key = new kms.Key(this, 'LakeKey', {
      alias: cfg.kms.alias,
      description: 'eventlake lake bucket, Firehose, Athena results and secrets',
      enableKeyRotation: true,
      removalPolicy: retain,
    });

    this.bucket = new s3.Bucket(this, 'LakeBucket', {
      bucketName: cfg.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: retain,
      lifecycleRules: [
        {
          // Only raw/ (bronze) is archived: Snowflake cannot read Glacier objects, so python-import/ (the stage)
          // and anything still to be loaded stay in STANDARD; cleaned/aggregated are queried all the time.
          id: 'archive-raw',
          prefix: `${p.raw}/`,
          transitions: [{ storageClass: ARCHIVE_CLASS[cfg.lifecycle.rawArchiveStorageClass]!, transitionAfter: Duration.days(cfg.lifecycle.rawArchiveAfterDays) }],
        },
        {
          id: 'abort-incomplete-multipart',
          abortIncompleteMultipartUploadAfter: Duration.days(cfg.lifecycle.abortIncompleteMultipartUploadDays),
        },
        {
          // Reruns replace objects; keep old versions for a while (undo), then let them go.
          id: 'expire-noncurrent',
          noncurrentVersionExpiration: Duration.days(cfg.lifecycle.noncurrentVersionExpirationDays),
        },
      ],
    });

    // The seed's DenyUnEncryptedObjectUploads: every PUT must ask for SSE-KMS with this key.
    const objects = this.bucket.arnForObjects('*');
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyIncorrectEncryptionHeader',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyUnEncryptedObjectUploads',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherKmsKeys',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.keyArn } },
      }),
    );

    // The seed's uploader: may only add files to the Snowflake stage prefix. No Get, no List, no Delete.
    this.uploader = new iam.User(this, 'Uploader', { userName: cfg.iam.uploaderUserName });
    this.uploader.addToPolicy(
      new iam.PolicyStatement({ sid: 'PutStageObjects', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${p.stage}/*`)] }),
    );
    this.uploader.addToPolicy(
      new iam.PolicyStatement({ sid: 'EncryptWithLakeKey', actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [this.key.keyArn] }),
    );

    // Snowflake storage integration: trusted only by Snowflake's IAM user with our external id.
    if (!cfg.snowflakeIamUserArn || !cfg.snowflakeExternalId) {
      Annotations.of(this).addWarningV2(
        'eventlake:snowflake-trust',
        'infra.snowflakeIamUserArn / infra.snowflakeExternalId are not set: the Snowflake role trusts this account with a placeholder ' +
          'external id until you copy STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID from DESC INTEGRATION into the config and deploy again.',
      );
    }
    const snowflakePrincipal = cfg.snowflakeIamUserArn ? new iam.ArnPrincipal(cfg.snowflakeIamUserArn) : new iam.AccountRootPrincipal();
    this.snowflakeRole = new iam.Role(this, 'SnowflakeRole', {
      roleName: cfg.iam.snowflakeRoleName,
      description: 'Snowflake storage integration: read the python-import/ stage prefix',
      assumedBy: snowflakePrincipal.withConditions({ StringEquals: { 'sts:ExternalId': cfg.snowflakeExternalId ?? PLACEHOLDER_EXTERNAL_ID } }),
      maxSessionDuration: Duration.hours(1),
    });
    this.snowflakeRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadStageObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.bucket.arnForObjects(`${p.stage}/*`)],
      }),
    );
    this.snowflakeRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListStagePrefix',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${p.stage}/*`] } },
      }),
    );
    this.snowflakeRole.addToPolicy(new iam.PolicyStatement({ sid: 'BucketLocation', actions: ['s3:GetBucketLocation'], resources: [this.bucket.bucketArn] }));
    this.snowflakeRole.addToPolicy(new iam.PolicyStatement({ sid: 'DecryptWithLakeKey', actions: ['kms:Decrypt'], resources: [this.key.keyArn] }));

    // Secrets: referenced when an ARN is configured, else created with a generated placeholder (the real value is
    // put out of band with `aws secretsmanager put-secret-value`). Never a value in code or template.
    const secret = (id: string, name: string, arn: string | undefined, description: string): secretsmanager.ISecret =>
      arn
        ? secretsmanager.Secret.fromSecretCompleteArn(this, id, arn)
        : new secretsmanager.Secret(this, id, {
            secretName: name,
            description,
            encryptionKey: this.key,
            removalPolicy: retain,
            generateSecretString: { passwordLength: 32, excludePunctuation: true },
          });
    this.githubToken = secret('GithubToken', cfg.secrets.githubTokenName, cfg.secrets.githubTokenArn, 'GitHub token for the Events API (put the real value out of band)');
    this.slackWebhook = secret('SlackWebhook', cfg.secrets.slackWebhookName, cfg.secrets.slackWebhookArn, 'Slack incoming webhook URL for alerts (put the real value out of band)');

    if (cfg.cloudtrail.enabled) {
      const trail = new cloudtrail.Trail(this, 'DataEventsTrail', {
        trailName: cfg.cloudtrail.trailName,
        isMultiRegionTrail: false,
        includeGlobalServiceEvents: false,
        managementEvents: cloudtrail.ReadWriteType.NONE,
        enableFileValidation: true,
      });
      trail.addS3EventSelector([{ bucket: this.bucket }], { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false });
    }
  }
}
