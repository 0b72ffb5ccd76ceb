// Test harness: a real s3rver on 127.0.0.1 (port 0) behind a small recording HTTP proxy. The proxy records every
// request the AWS SDK sends (method, path, query, headers) so tests can assert on SSE-KMS headers, and can turn
// off features s3rver has (multi-delete) or emulate ones it lacks (If-None-Match on PUT) to test our fallbacks.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
// s3rver ships no types.
// @ts-expect-error no declaration file
import S3rver from 's3rver';
import { S3Storage, type S3StorageOptions } from '../../src/storage/s3/s3-storage.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
}

export interface ProxyBehaviour {
  /** Answer POST ?delete with 501 NotImplemented (servers without multi-delete). */
  noMultiDelete?: boolean;
  /** Emulate S3 conditional writes: PUT with If-None-Match: * on an existing key -> 412 PreconditionFailed. */
  emulateIfNoneMatch?: boolean;
}

export interface S3Harness {
  endpoint: string;
  bucket: string;
  requests: RecordedRequest[];
  behaviour: ProxyBehaviour;
  storage(opts?: Partial<S3StorageOptions>): S3Storage;
  close(): Promise<void>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3(bucket = 'lake', behaviour: ProxyBehaviour = {}): Promise<S3Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'el-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: !process.env.S3RVER_VERBOSE, directory: dir, configureBuckets: [{ name: bucket }] });
  const addr = (await server.run()) as AddressInfo;
  const upstream = { host: '127.0.0.1', port: addr.port };
  const requests: RecordedRequest[] = [];

  const headUpstream = (path: string, headers: http.IncomingHttpHeaders) =>
    new Promise<number>((resolve, reject) => {
      // Unsigned HEAD is fine: s3rver accepts anonymous requests.
      const r = http.request({ ...upstream, method: 'HEAD', path, headers: { host: headers.host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', reject);
      r.end();
    });

  const proxy = http.createServer(async (req, res) => {
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    requests.push({ method: req.method ?? '', path, query, headers: req.headers });
    const q = new URLSearchParams(query);
    if (behaviour.noMultiDelete && req.method === 'POST' && q.has('delete')) {
      req.resume();
      res.writeHead(501, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>multi-delete disabled by test</Message></Error>');
      return;
    }
    if (behaviour.emulateIfNoneMatch && req.method === 'PUT' && req.headers['if-none-match'] === '*' && !q.has('partNumber')) {
      if ((await headUpstream(path, req.headers)) === 200) {
        req.resume();
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>');
        return;
      }
    }
    const up = http.request({ ...upstream, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', (e) => {
      res.destroy(e);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const made: S3Storage[] = [];

  return {
    endpoint,
    bucket,
    requests,
    behaviour,
    storage(opts = {}) {
      const s = new S3Storage({
        bucket,
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        checksums: 'WHEN_REQUIRED',
        maxAttempts: 3, // s3rver's DeleteObjects races on folder cleanup (500); the SDK retry recovers, as on AWS
        clientConfig: { credentials: S3RVER_CREDENTIALS },
        ...opts,
      });
      made.push(s);
      return s;
    },
    async close() {
      for (const s of made) s.close();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
