import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { collectStatus, formatStatus } from '../../../src/cli/commands/status.ts';
import { makeContext, tempDir } from './helpers.ts';

test('status: counts raw files, bytes and manifest events per hour for any source; checkpoints give gaps and failures', async () => {
  const t = await tempDir();
  try {
    const ctx = await makeContext(join(t.dir, 'lake'), {});
    // An Amplitude-style manifest (one per window, `entries` with raw keys) and checkpoints per hour.
    const k0 = 'raw/amplitude/dt=2026-11-01/hour=00/187520_2026-11-01_0#0.json.gz';
    const k1 = 'raw/amplitude/dt=2026-11-01/hour=01/187520_2026-11-01_1#0.json.gz';
    await ctx.storage.put(k0, Buffer.alloc(100));
    await ctx.storage.put(k1, Buffer.alloc(50));
    await ctx.meta.putManifest('amplitude', 'w1', { source: 'amplitude', entries: [{ key: k0, events: 7 }, { key: k1, events: 3 }] });
    await ctx.meta.putCheckpoint({ source: 'amplitude', window: '2026-11-01T00', status: 'done' });
    await ctx.meta.putCheckpoint({ source: 'amplitude', window: '2026-11-01T02', status: 'empty' });
    await ctx.meta.putCheckpoint({ source: 'amplitude', window: '2026-11-01T03', status: 'failed', detail: { reason: 'HTTP 403' } });
    const s = await collectStatus(ctx, 'amplitude');
    assert.equal(s.files, 2);
    assert.equal(s.bytes, 150);
    assert.equal(s.events, 10);
    assert.deepEqual(
      s.hours.map((h) => [h.hour, h.files, h.events ?? null, h.status]),
      [[0, 1, 7, 'landed'], [1, 1, 3, 'landed'], [2, 0, null, 'empty'], [3, 0, null, 'failed']],
    );
    assert.deepEqual(s.failed, ['2026-11-01T03']);
    assert.deepEqual(s.missing, []);
    assert.match(formatStatus(s), /2026-11-01\s+03\s+0\s+0 B\s+-\s+failed \(HTTP 403\)/);
    const empty = await collectStatus(ctx, 'github');
    assert.equal(empty.hours.length, 0);
  } finally {
    await t.cleanup();
  }
});
