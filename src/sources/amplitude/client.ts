// Amplitude Export API client: one GET per window, body streamed to a temp file (never the whole zip in memory),
// every HTTP outcome classified the way the pipeline needs it:
//   200 + zip -> zip file; 404 -> empty window; 400/504 -> too large (caller splits); 401/403 -> auth/region error;
//   429/5xx/network/timeouts/"200 but not a zip" -> retryable (bounded, backoff + jitter in withRetry).
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { EventlakeError } from '../../core/errors.ts';
import { readSecret, registerSecret, MissingSecretError } from '../../core/secrets.ts';
import { withRetry, type RetryOptions } from '../../core/retry.ts';
import { apiHour, STEP } from './names.ts';
import { formatHour } from '../../lake/hours.ts';

export const REGION_BASE_URLS = { us: 'https://amplitude.com', eu: 'https://analytics.eu.amplitude.com' } as const;

export interface ExportClientOptions {
  region: 'us' | 'eu';
  baseUrl?: string;
  apiKeyEnv: string;
  secretKeyEnv: string;
  timeoutMs: number;
  retry: { attempts: number; baseMs: number; maxMs: number };
  tmpDir: string;
  env?: NodeJS.ProcessEnv;
  onRetry?: (info: { window: string; attempt: number; waitMs: number; reason: string }) => void;
  sleep?: RetryOptions['sleep'];
}

export type FetchResult = { kind: 'empty'; status: 404 } | { kind: 'zip'; file: string; bytes: number };

/** Thrown for 400/504: the window must be split (the caller decides; a 1 h window cannot be split further). */
export class WindowTooLargeError extends EventlakeError {
  constructor(readonly status: number, window: string, body: string) {
    super(`export of ${window} answered HTTP ${status} (${status === 400 ? 'over the 4 GB export limit' : 'too large / timed out'}): ${body}`, {
      step: STEP,
      code: `HTTP_${status}`,
      context: { window, status },
    });
  }
}

const ZIP_MAGIC = [0x50, 0x4b]; // "PK": local file header (03 04) or empty-archive EOCD (05 06)

export function windowLabel(startMs: number, endMs: number): string {
  return startMs === endMs ? formatHour(startMs) : `${formatHour(startMs)}..${formatHour(endMs)}`;
}

export class ExportClient {
  private readonly auth: string;
  readonly exportUrl: string;

  constructor(private readonly o: ExportClientOptions) {
    let key: string;
    let secret: string;
    try {
      key = readSecret(o.apiKeyEnv, 'Amplitude API key', o.env);
      secret = readSecret(o.secretKeyEnv, 'Amplitude secret key', o.env);
    } catch (e) {
      const name = e instanceof MissingSecretError ? e.envName : o.apiKeyEnv;
      throw new EventlakeError(`missing Amplitude credentials: ${name} is not set`, {
        step: STEP,
        code: 'AUTH',
        cause: e,
        next: `export ${o.apiKeyEnv}=... ${o.secretKeyEnv}=... (or put them in .env) and run the command again`,
      });
    }
    this.auth = 'Basic ' + Buffer.from(`${key}:${secret}`).toString('base64');
    registerSecret(this.auth.slice(6)); // the combined base64 form is a secret too
    const base = (o.baseUrl ?? REGION_BASE_URLS[o.region]).replace(/\/+$/, '');
    this.exportUrl = `${base}/api/2/export`;
  }

  /** Downloads one window (both hours inclusive), retrying transient failures. */
  async fetchWindow(startMs: number, endMs: number): Promise<FetchResult> {
    const window = windowLabel(startMs, endMs);
    return withRetry((attempt) => this.fetchOnce(startMs, endMs, attempt), {
      ...this.o.retry,
      sleep: this.o.sleep,
      waitHintMs: (err) => ((err as EventlakeError).context?.retryAfterMs as number | undefined),
      onRetry: (err, attempt, waitMs) => this.o.onRetry?.({ window, attempt, waitMs, reason: (err as Error).message }),
    });
  }

  /** One attempt, no retry (the extractor retries download + landing together). */
  async fetchOnce(startMs: number, endMs: number, attempt: number): Promise<FetchResult> {
    const window = windowLabel(startMs, endMs);
    const url = `${this.exportUrl}?start=${apiHour(startMs)}&end=${apiHour(endMs)}`;
    const ctx = { window, url, attempt };
    // An idle timeout: no answer, or no body bytes, for timeoutMs (a large export may take long, but never stalls).
    const ac = new AbortController();
    let timer = setTimeout(() => ac.abort(new Error(`no data for ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    const alive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ac.abort(new Error(`no data for ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    };
    const file = join(this.o.tmpDir, `amplitude-${apiHour(startMs)}-${apiHour(endMs)}-${randomBytes(4).toString('hex')}.zip`);
    try {
      let res: Response;
      try {
        res = await fetch(url, { headers: { authorization: this.auth, accept: 'application/zip' }, signal: ac.signal });
      } catch (cause) {
        throw new EventlakeError(`export request for ${window} failed: ${describeFetchError(cause, ac)}`, { step: STEP, code: 'NETWORK', retryable: true, cause, context: ctx });
      }
      const status = res.status;
      if (status === 200) {
        if (!res.body) throw new EventlakeError(`export of ${window} answered 200 with no body`, { step: STEP, code: 'NOT_A_ZIP', retryable: true, context: ctx });
        await fs.mkdir(this.o.tmpDir, { recursive: true });
        try {
          const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
          body.on('data', alive);
          await pipeline(body, createWriteStream(file, { highWaterMark: 1 << 20 }));
        } catch (cause) {
          throw new EventlakeError(`download of ${window} broke off: ${describeFetchError(cause, ac)}`, { step: STEP, code: 'NETWORK', retryable: true, cause, context: ctx });
        }
        const { size } = await fs.stat(file);
        const head = Buffer.alloc(4);
        const fh = await fs.open(file, 'r');
        try {
          await fh.read(head, 0, 4, 0);
        } finally {
          await fh.close();
        }
        if (size < 22 || head[0] !== ZIP_MAGIC[0] || head[1] !== ZIP_MAGIC[1]) {
          throw new EventlakeError(
            `export of ${window} answered 200 but the body is not a zip (${size} bytes, content-type ${res.headers.get('content-type') ?? 'none'})`,
            { step: STEP, code: 'NOT_A_ZIP', retryable: true, context: ctx },
          );
        }
        return { kind: 'zip', file, bytes: size };
      }
      const body = (await res.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ').trim();
      if (status === 404) return { kind: 'empty', status };
      if (status === 400 || status === 504) throw new WindowTooLargeError(status, window, body);
      if (status === 401 || status === 403) {
        throw new EventlakeError(
          `Amplitude refused the credentials (HTTP ${status}) at ${this.exportUrl}: wrong API key/secret key, or the project lives in the other region (US: amplitude.com, EU: analytics.eu.amplitude.com)`,
          {
            step: STEP,
            code: 'AUTH',
            context: { ...ctx, status },
            next: `check ${this.o.apiKeyEnv}/${this.o.secretKeyEnv} and amplitude.region (now "${this.o.region}") in eventlake.config.yaml`,
          },
        );
      }
      const retryable = status === 429 || status >= 500;
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new EventlakeError(`export of ${window} answered HTTP ${status}: ${body || '(no body)'}`, {
        step: STEP,
        code: `HTTP_${status}`,
        retryable,
        context: { ...ctx, status, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, this.o.retry.maxMs) : undefined },
      });
    } catch (e) {
      await fs.rm(file, { force: true });
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}

function describeFetchError(cause: unknown, ac: AbortController): string {
  if (ac.signal.aborted) return (ac.signal.reason as Error)?.message ?? 'aborted';
  const e = cause as Error & { cause?: Error & { code?: string } };
  return e.cause?.code ? `${e.message} (${e.cause.code})` : (e.cause?.message ?? e.message);
}

