// Bounded retries with exponential backoff and full jitter. Only errors marked retryable are retried.
import { isRetryable } from './errors.ts';

export interface RetryOptions {
  attempts: number; // total attempts including the first
  baseMs: number;
  maxMs: number;
  /** Decide retryability; defaults to EventlakeError.retryable. */
  retryIf?: (err: unknown) => boolean;
  /** Server-provided wait (e.g. Retry-After) overrides the backoff when larger. */
  waitHintMs?: (err: unknown) => number | undefined;
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2); // "equal jitter": never zero, never above cap
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const retryIf = o.retryIf ?? isRetryable;
  const doSleep = o.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= o.attempts || !retryIf(err)) throw err;
      let wait = backoffMs(attempt, o.baseMs, o.maxMs, o.random);
      const hint = o.waitHintMs?.(err);
      if (hint !== undefined && hint > wait) wait = Math.min(hint, Math.max(o.maxMs, hint));
      o.onRetry?.(err, attempt, wait);
      await doSleep(wait);
    }
  }
}

/** Runs tasks with at most `concurrency` in flight; results in input order; first error rejects after in-flight tasks settle. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined) {
      const i = next++;
      if (i >= items.length) return;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed !== undefined) throw failed;
  return results;
}
