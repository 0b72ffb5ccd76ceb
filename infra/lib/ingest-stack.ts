// The managed collector: a Firehose delivery stream landing GZIP batches in raw/<source>/dt=…/hour=…/ (the same
// keys the embedded collector writes), failed records under the error prefix, optionally run through the
// collector's own transform (src/collector/firehose-transform.ts) as the Lambda processor.
import { Duration, Size, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import { bundleLambda } from './bundle.ts';
import type { InfraSettings } from './settings.ts';

export interface IngestStackProps extends StackProps {
  bucket: s3.IBucket;
  key: kms.IKey;
}

/** raw/<source>/dt=YYYY-MM-DD/hour=HH/ – Firehose evaluates !{timestamp:…} in UTC at delivery time. */
export function firehosePrefixes(s: InfraSettings): { data: string; error: string } {
  const src = s.infra.firehose.source;
  return {
    data: `${s.prefixes.raw}/${src}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`,
    error: `${s.prefixes.raw}-errors/${src}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`,
  };
}

/**
 * The Firehose L2 grants its role bucket.grantReadWrite() on the whole bucket (incl. DeleteObject*), which would let
 * the stream rewrite bronze and read every layer. This view of the bucket narrows that grant to what Firehose's S3
 * destination needs (AWS docs: AbortMultipartUpload, GetBucketLocation, GetObject, ListBucket,
 * ListBucketMultipartUploads, PutObject) on the stream's own prefixes.
 */
export function scopedForFirehose(bucket: s3.IBucket, objectPrefixes: string[]): s3.IBucket {
  const grantReadWrite = (grantee: iam.IGrantable): iam.Grant => {
    const objects = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      resourceArns: objectPrefixes.map((p) => bucket.arnForObjects(`${p}*`)),
    });
    const bucketLevel = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      resourceArns: [bucket.bucketArn],
    });
    return objects.combine(bucketLevel);
  };
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === 'grantReadWrite') return grantReadWrite;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export class IngestStack extends Stack {
  readonly stream: firehose.DeliveryStream;
  readonly transform?: lambda.Function;

  constructor(scope: Construct, id: string, s: InfraSettings, props: IngestStackProps) {
    super(scope, id, props);
    const cfg = s.infra.firehose;
    const prefixes = firehosePrefixes(s);

    let processor: firehose.IDataProcessor | undefined;
    if (cfg.transform.enabled) {
      const fn = new lambda.Function(this, 'Transform', {
        description: 'eventlake Firehose transform (validates and normalises events; bad records go to the error prefix)',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        handler: `index.${cfg.transform.handler}`,
        code: lambda.Code.fromAsset(bundleLambda(s.projectRoot, cfg.transform.entry)),
        memorySize: cfg.transform.memoryMiB,
        timeout: Duration.seconds(cfg.transform.timeoutSeconds),
        logGroup: new logs.LogGroup(this, 'TransformLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      });
      this.transform = fn;
      processor = new firehose.LambdaFunctionProcessor(fn, {
        // Lambda payload limit is 6 MB; 1 MiB batches keep well under it even after base64.
        bufferSize: Size.mebibytes(1),
        bufferInterval: Duration.seconds(60),
        retries: 3,
      });
    }

    this.stream = new firehose.DeliveryStream(this, 'Stream', {
      deliveryStreamName: cfg.streamName,
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(scopedForFirehose(props.bucket, [prefixes.data.split('!')[0]!, prefixes.error.split('!')[0]!]), {
        dataOutputPrefix: prefixes.data,
        errorOutputPrefix: prefixes.error,
        bufferingSize: Size.mebibytes(s.bufferSizeMiB),
        bufferingInterval: Duration.seconds(s.bufferIntervalSeconds),
        compression: firehose.Compression.GZIP,
        fileExtension: '.json.gz',
        encryptionKey: props.key,
        processors: processor ? [processor] : undefined,
      }),
    });
  }
}
