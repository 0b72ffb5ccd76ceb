// The real snowflake-sdk against a local HTTP endpoint on 127.0.0.1 (accessUrl) that answers the driver's REST calls
// (login-request, query-request, session delete) with the JSON shapes the driver expects. This checks our
// connection config (key-pair JWT really signed with our key), row mapping and error mapping. It does NOT prove
// that Snowflake accepts the SQL: nothing in this repository was run against a real Snowflake account.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { connectSnowflake } from '../../src/warehouse/snowflake/client.ts';
import { runLoad } from '../../src/warehouse/snowflake/loader.ts';
import { redact } from '../../src/core/secrets.ts';

interface Seen {
  url: string;
  body: Record<string, unknown>;
}

const COPY_ROWTYPE = [
  { name: 'file', type: 'text', nullable: true, length: 1000, scale: null, precision: null, byteLength: 1000 },
  { name: 'status', type: 'text', nullable: true, length: 100, scale: null, precision: null, byteLength: 100 },
  { name: 'rows_parsed', type: 'fixed', nullable: true, scale: 0, precision: 19, length: null, byteLength: null },
  { name: 'rows_loaded', type: 'fixed', nullable: true, scale: 0, precision: 19, length: null, byteLength: null },
  { name: 'errors_seen', type: 'fixed', nullable: true, scale: 0, precision: 19, length: null, byteLength: null },
  { name: 'first_error', type: 'text', nullable: true, length: 1000, scale: null, precision: null, byteLength: 1000 },
];

async function fakeSnowflake(answer: (sql: string) => unknown) {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      seen.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' });
      const url = req.url ?? '';
      if (url.startsWith('/session/v1/login-request')) {
        res.end(JSON.stringify({ success: true, data: { token: 'session-token-1', masterToken: 'master-token-1', validityInSeconds: 3600, masterValidityInSeconds: 14400, sessionId: 1, parameters: [], sessionInfo: { databaseName: 'EVENTLAKE', schemaName: 'RAW' } } }));
      } else if (url.startsWith('/queries/v1/query-request')) {
        res.end(JSON.stringify(answer(String(body.sqlText))));
      } else {
        res.end(JSON.stringify({ success: true, data: {} }));
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    seen,
    accessUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    close: () => {
      srv.closeAllConnections();
      return new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const cfg = (accessUrl: string) => ({
  account: 'ab12345',
  username: 'LOADER',
  database: 'EVENTLAKE',
  schema: 'RAW',
  privateKeyEnv: 'TEST_SF_KEY',
  privateKeyPassphraseEnv: 'TEST_SF_KEY_PASS',
  passwordEnv: 'TEST_SF_PASSWORD',
  accessUrl,
});

test('snowflake client: key-pair JWT login signed with our key, COPY rows mapped, session closed', async () => {
  const sf = await fakeSnowflake((sql) =>
    sql.startsWith('COPY INTO')
      ? {
          success: true,
          data: {
            parameters: [],
            rowtype: COPY_ROWTYPE,
            rowset: [['s3://seed-bucket/python-import/amplitude/dt=2026-11-01/hour=00/1_2026-11-01_0#0.json.gz', 'LOADED', '3', '3', '0', null]],
            total: 1,
            returned: 1,
            queryId: 'q-copy',
            queryResultFormat: 'json',
          },
        }
      : {
          success: true,
          data: { parameters: [], rowtype: [{ name: 'number of rows inserted', type: 'fixed', nullable: false, scale: 0, precision: 19 }], rowset: [['3']], total: 1, returned: 1, queryId: 'q-ins', queryResultFormat: 'json' },
        },
  );
  try {
    const exec = await connectSnowflake(cfg(sf.accessUrl), { TEST_SF_KEY: keys.privateKey });
    const names = {
      database: 'EVENTLAKE', schema: 'RAW', integration: 'I', stage: 'S', fileFormat: 'F', rawTable: 'AMPLITUDE_RAW', typedTable: 'AMPLITUDE_EVENTS',
      stageUrl: 's3://seed-bucket/python-import/', sourcePath: 'amplitude/',
    };
    const r = await runLoad(exec, names, { pattern: '.*[.]json[.]gz', onError: 'ABORT_STATEMENT', loadId: 'L1' });
    await exec.close();
    assert.equal(r.rowsLoaded, 3);
    assert.equal(r.typedRowsInserted, 3);
    assert.equal(r.files[0]?.status, 'LOADED');

    const login = sf.seen.find((s) => s.url.startsWith('/session/v1/login-request'))!;
    const data = login.body.data as Record<string, string>;
    assert.equal(data.AUTHENTICATOR, 'SNOWFLAKE_JWT');
    assert.match(data.ACCOUNT_NAME!, /^ab12345$/i);
    assert.equal(data.LOGIN_NAME, 'LOADER');
    // The JWT is RS256-signed with our private key: verify it with the public key.
    const [h, p, sig] = data.TOKEN!.split('.');
    const v = createVerify('RSA-SHA256');
    v.update(`${h}.${p}`);
    assert.ok(v.verify(createPublicKey(keys.publicKey), Buffer.from(sig!, 'base64url')), 'JWT signature verifies with the public key');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { iss: string; sub: string };
    assert.match(claims.sub, /^AB12345\.LOADER$/);
    assert.match(claims.iss, /^AB12345\.LOADER\.SHA256:/);

    const queries = sf.seen.filter((s) => s.url.startsWith('/queries/v1/query-request')).map((s) => String(s.body.sqlText));
    assert.equal(queries.length, 2);
    assert.match(queries[0]!, /^COPY INTO "EVENTLAKE"\."RAW"\."AMPLITUDE_RAW"/);
    assert.match(queries[1]!, /^INSERT INTO "EVENTLAKE"\."RAW"\."AMPLITUDE_EVENTS"/);
    assert.ok(sf.seen.some((s) => s.url.startsWith('/session?delete=true')), 'session closed');
    // The key is a registered secret: it never survives into logs or errors.
    assert.ok(!redact(`key=${keys.privateKey.split('\n')[1]}`).includes(keys.privateKey.split('\n')[1]!));
  } finally {
    await sf.close();
  }
});

test('snowflake client: a SQL error from the server becomes an EventlakeError with the SQL state', async () => {
  const sf = await fakeSnowflake(() => ({
    success: false,
    code: '002003',
    message: "SQL compilation error:\nStage 'EVENTLAKE.RAW.S' does not exist or not authorized.",
    data: { sqlState: '02000', queryId: 'q-err', errorCode: '002003', internalError: false },
  }));
  try {
    const exec = await connectSnowflake(cfg(sf.accessUrl), { TEST_SF_KEY: keys.privateKey });
    await assert.rejects(
      () => exec.execute('COPY INTO "X" FROM @"S"'),
      (e: Error & { code?: string; step?: string }) => e.step === 'warehouse.snowflake' && e.code === 'SQLSTATE_02000' && /does not exist/.test(e.message),
    );
    await exec.close();
  } finally {
    await sf.close();
  }
});

test('snowflake client: no key and no password is a config error naming the env vars', async () => {
  await assert.rejects(() => connectSnowflake(cfg('http://127.0.0.1:9'), {}), (e: Error & { code?: string }) => e.code === 'CONFIG' && /TEST_SF_KEY/.test(e.message));
});
