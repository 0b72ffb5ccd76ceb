// Step Functions "ingest" step on AWS: copies one GH Archive hour into raw/ exactly as received (no decompression),
// streaming (constant memory). Idempotent: the key is a function of the hour, an existing object is kept, so a
// rerun of the same window neither duplicates nor rewrites bronze. A missing hour (404) is reported, not failed:
// GH Archive has gaps. Other HTTP errors throw so the state machine's retry/alert path sees them.
import { Readable } from 'node:stream';
import { S3Client, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LakeLayout, DEFAULT_PREFIXES } from '../../src/lake/layout.ts';

export interface IngestInput {
  dt: string;
  hour: number;
}

export interface IngestResult {
  dt: string;
  hour: number;
  status: 'landed' | 'exists' | 'missing';
  key: string;
  bytes?: number;
}

const s3 = new S3Client({});

export async function handler(input: IngestInput, env: NodeJS.ProcessEnv = process.env): Promise<IngestResult> {
  const bucket = env.LAKE_BUCKET;
  if (!bucket) throw new Error('LAKE_BUCKET is not set');
  const hour = Number(input.hour);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`invalid hour ${JSON.stringify(input.hour)}`);
  const layout = new LakeLayout({ ...DEFAULT_PREFIXES, raw: env.RAW_PREFIX || DEFAULT_PREFIXES.raw });
  const file = `${input.dt}-${hour}.json.gz`; // GH Archive does not zero-pad the hour
  const key = layout.rawKey('github', input.dt, hour, `gharchive-${file}`);
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { dt: input.dt, hour, status: 'exists', key };
  } catch (e) {
    if ((e as { name?: string }).name !== 'NotFound') throw e;
  }
  const base = (env.GHARCHIVE_BASE_URL || 'https://data.gharchive.org').replace(/\/$/, '');
  const res = await fetch(`${base}/${file}`);
  if (res.status === 404) return { dt: input.dt, hour, status: 'missing', key };
  if (!res.ok || !res.body) throw new Error(`GET ${base}/${file}: HTTP ${res.status}`);
  let bytes = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => (bytes += c.length));
  // Upload completes the multipart only at the end, so a failed copy never leaves a partial object behind.
  await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: env.KMS_KEY_ARN || undefined },
    leavePartsOnError: false,
  }).done();
  return { dt: input.dt, hour, status: 'landed', key, bytes };
}
