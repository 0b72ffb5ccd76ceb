import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventlakeError } from '../../src/core/errors.ts';
import { readSecret, redact, MissingSecretError } from '../../src/core/secrets.ts';
import { withRetry, backoffMs, mapLimit } from '../../src/core/retry.ts';

test('secrets read from env are scrubbed from error messages, including their base64 form', () => {
  const key = readSecret('T_KEY', 'test', { T_KEY: 'super-secret-value-123' });
  const b64 = Buffer.from(`${key}`).toString('base64');
  const e = new EventlakeError(`failed with key ${key} and header Basic ${b64}`, { step: 'test', next: 'eventlake x' });
  assert.ok(!e.message.includes(key));
  assert.ok(!e.describe().includes(b64));
  assert.match(e.describe(), /next: eventlake x/);
  assert.match(redact('Authorization: Bearer abc.def'), /Bearer \*\*\*/);
});

test('a missing secret names the variable', () => {
  assert.throws(() => readSecret('NOPE_VAR', 'Amplitude API key', {}), (e: Error) => e instanceof MissingSecretError && /NOPE_VAR/.test(e.message));
});

test('withRetry retries only retryable errors, bounded by attempts', async () => {
  let calls = 0;
  const waits: number[] = [];
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new EventlakeError('flaky', { step: 't', retryable: true });
      },
      { attempts: 4, baseMs: 100, maxMs: 1000, sleep: async (ms) => void waits.push(ms) },
    ),
    /flaky/,
  );
  assert.equal(calls, 4);
  assert.equal(waits.length, 3);
  calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new EventlakeError('fatal', { step: 't', retryable: false });
      },
      { attempts: 4, baseMs: 1, maxMs: 1, sleep: async () => {} },
    ),
  );
  assert.equal(calls, 1);
});

test('backoff grows exponentially with jitter and respects the cap', () => {
  assert.equal(backoffMs(1, 100, 10_000, () => 0), 50);
  assert.equal(backoffMs(3, 100, 10_000, () => 1), 400);
  assert.equal(backoffMs(20, 100, 1000, () => 1), 1000);
});

test('mapLimit keeps order and bounds concurrency', async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 3, 2, 4], 2, async (x) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, x));
    inFlight--;
    return x * 10;
  });
  assert.deepEqual(out, [50, 10, 30, 20, 40]);
  assert.equal(peak, 2);
});
