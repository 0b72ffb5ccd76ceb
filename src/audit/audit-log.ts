// Append-only, hash-chained audit trail under _eventlake/audit/: one object per entry, keyed by a zero-padded
// sequence number and created with "if not exists" (so two writers can never both claim a number). Each entry
// carries the previous entry's hash; `verify` recomputes the chain, so an edited, removed or reordered entry is
// detected. Records who queried or changed what; never secrets (texts are redacted).
import { createHash } from 'node:crypto';
import { EventlakeError } from '../core/errors.ts';
import { redact } from '../core/secrets.ts';
import { getJson, type Storage } from '../core/storage.ts';
import type { LakeLayout } from '../lake/layout.ts';

export interface AuditEvent {
  /** Who: a principal name, "cli:<user>", "scheduler". */
  actor: string;
  /** What: "query", "query.refused", "lifecycle.archive", "pipeline.run", … */
  action: string;
  /** On what: table names, keys, pipeline/window. */
  target?: string;
  outcome: 'ok' | 'refused' | 'error';
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends AuditEvent {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** First problem found, naming the entry. */
  problem?: { seq: number; key?: string; reason: string };
}

const GENESIS = '0'.repeat(64);
const SEQ_WIDTH = 12;

/** Canonical JSON (sorted keys) so the hash does not depend on property order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, prevHash, actor, action, target, outcome, detail } = e;
  return createHash('sha256').update(canonical({ seq, at, prevHash, actor, action, target, outcome, detail })).digest('hex');
}

export class AuditLog {
  private head?: { seq: number; hash: string };
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly storage: Storage, readonly layout: LakeLayout) {}

  private prefix(): string {
    return this.layout.metaKey('audit') + '/';
  }

  key(seq: number): string {
    return this.layout.metaKey('audit', `${String(seq).padStart(SEQ_WIDTH, '0')}.json`);
  }

  private async loadHead(): Promise<{ seq: number; hash: string }> {
    let lastKey: string | undefined;
    for await (const o of this.storage.list(this.prefix())) if (/\/\d+\.json$/.test(o.key)) lastKey = o.key;
    if (!lastKey) return { seq: 0, hash: GENESIS };
    const e = await getJson<AuditEntry>(this.storage, lastKey);
    if (!e) return { seq: 0, hash: GENESIS };
    return { seq: e.seq, hash: e.hash };
  }

  /** Appends one event; serialised within the process, arbitrated by ifNotExists across processes. */
  append(ev: AuditEvent): Promise<AuditEntry> {
    const p = this.chain.then(() => this.appendNow(ev));
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async appendNow(ev: AuditEvent): Promise<AuditEntry> {
    const clean: AuditEvent = JSON.parse(redact(JSON.stringify(ev))) as AuditEvent;
    for (let tries = 0; tries < 20; tries++) {
      this.head ??= await this.loadHead();
      const base = { ...clean, seq: this.head.seq + 1, at: new Date().toISOString(), prevHash: this.head.hash };
      const entry: AuditEntry = { ...base, hash: entryHash(base) };
      try {
        await this.storage.put(this.key(entry.seq), JSON.stringify(entry) + '\n', { ifNotExists: true, contentType: 'application/json' });
        this.head = { seq: entry.seq, hash: entry.hash };
        return entry;
      } catch {
        this.head = undefined; // another writer took this number: reload the head and chain after it
      }
    }
    throw new EventlakeError('cannot append to the audit log (too many concurrent writers)', { step: 'audit', retryable: true });
  }

  async *entries(): AsyncIterable<{ key: string; entry: AuditEntry | undefined }> {
    for await (const o of this.storage.list(this.prefix())) {
      if (!/\/\d+\.json$/.test(o.key)) continue;
      let entry: AuditEntry | undefined;
      try {
        entry = await getJson<AuditEntry>(this.storage, o.key);
      } catch {
        entry = undefined;
      }
      yield { key: o.key, entry };
    }
  }

  /** Recomputes the chain from the first entry. */
  async verify(): Promise<VerifyResult> {
    let prev = GENESIS;
    let expected = 1;
    let n = 0;
    for await (const { key, entry } of this.entries()) {
      n++;
      if (!entry) return { ok: false, entries: n, problem: { seq: expected, key, reason: 'entry is not valid JSON' } };
      if (entry.seq !== expected) {
        return { ok: false, entries: n, problem: { seq: expected, key, reason: entry.seq > expected ? `entries ${expected}..${entry.seq - 1} are missing` : `unexpected sequence ${entry.seq}` } };
      }
      if (key !== this.key(entry.seq)) return { ok: false, entries: n, problem: { seq: entry.seq, key, reason: 'entry stored under the wrong key' } };
      if (entry.prevHash !== prev) return { ok: false, entries: n, problem: { seq: entry.seq, key, reason: 'previous-hash link broken (an earlier entry was changed or removed)' } };
      const { hash, ...rest } = entry;
      if (entryHash(rest) !== hash) return { ok: false, entries: n, problem: { seq: entry.seq, key, reason: 'content does not match its hash (entry was edited)' } };
      prev = hash;
      expected++;
    }
    return { ok: true, entries: n };
  }
}
