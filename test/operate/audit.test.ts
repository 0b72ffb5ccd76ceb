import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { registerSecret } from '../../src/core/secrets.ts';
import { testLake } from './helpers.ts';

test('audit: entries chain by hash, concurrent appends get distinct sequence numbers, secrets are redacted', async () => {
  const lake = await testLake();
  try {
    const a = new AuditLog(lake.ctx.storage, lake.ctx.layout);
    const b = new AuditLog(lake.ctx.storage, lake.ctx.layout); // a second writer (another process)
    registerSecret('tok-very-secret-123');
    await Promise.all([
      a.append({ actor: 'alice', action: 'query', target: 'fact_events', outcome: 'ok', detail: { sql: 'select 1' } }),
      b.append({ actor: 'bob', action: 'query', target: 'dim_repo', outcome: 'refused', detail: { header: 'Bearer tok-very-secret-123' } }),
      a.append({ actor: 'cli', action: 'lifecycle.archive', target: 'raw/github/dt=2020-01-01/', outcome: 'ok' }),
    ]);
    const v = await a.verify();
    assert.deepEqual(v, { ok: true, entries: 3 });
    const all: string[] = [];
    for await (const { entry } of a.entries()) all.push(JSON.stringify(entry));
    assert.ok(all.every((e) => !e.includes('tok-very-secret-123')));
    assert.deepEqual(all.map((e) => JSON.parse(e).seq), [1, 2, 3]);
  } finally {
    await lake.cleanup();
  }
});

test('audit verify: an edited entry, a removed entry and a rewritten chain are all detected', async () => {
  const lake = await testLake();
  try {
    const log = new AuditLog(lake.ctx.storage, lake.ctx.layout);
    for (let i = 0; i < 4; i++) await log.append({ actor: 'alice', action: 'query', outcome: 'ok', detail: { i } });
    assert.equal((await log.verify()).ok, true);

    const k2 = log.key(2);
    const original = (await lake.ctx.storage.get(k2)).toString();
    const edited = JSON.parse(original);
    edited.actor = 'mallory';
    await lake.ctx.storage.put(k2, JSON.stringify(edited));
    const v1 = await log.verify();
    assert.equal(v1.ok, false);
    assert.equal(v1.problem?.seq, 2);
    assert.match(v1.problem!.reason, /edited/);

    // Recomputing the edited entry's own hash still breaks the link from entry 3.
    const { entryHash } = await import('../../src/audit/audit-log.ts');
    const { hash: _h, ...rest } = edited;
    await lake.ctx.storage.put(k2, JSON.stringify({ ...rest, hash: entryHash(rest) }));
    const v2 = await log.verify();
    assert.equal(v2.problem?.seq, 3);
    assert.match(v2.problem!.reason, /previous-hash link broken/);

    await lake.ctx.storage.put(k2, original);
    await lake.ctx.storage.delete(log.key(3));
    const v3 = await log.verify();
    assert.equal(v3.ok, false);
    assert.match(v3.problem!.reason, /entries 3\.\.3 are missing/);
  } finally {
    await lake.cleanup();
  }
});
