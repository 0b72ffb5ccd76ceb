// Amplitude Export API client: one GET per window, body streamed to a temp file (never the whole zip in memory),
// every HTTP outcome classified the way the pipeline needs it:
//   200 + zip -> zip file; 404 -> empty window; 400/504 -> too large (caller splits); 401/403 -> auth/region error;
//   429/5xx/network/timeouts/"200 but not a zip" -> retryable (bounded, backoff + jitter in withRetry).
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { youngGcEvery } from './young-gc.ts';
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
    const file = join(this.o.tmpDir, `amplitude-${apiHour(startMs)}-${apiHour(endMs)}-${randomBytes(4).toString('hex')}.zip`);
    let res: IncomingMessage | undefined;
    try {
      try {
        res = await this.get(url);
      } catch (cause) {
        throw new EventlakeError(`export request for ${window} failed: ${describeHttpError(cause)}`, { step: STEP, code: 'NETWORK', retryable: true, cause, context: ctx });
      }
      const status = res.statusCode ?? 0;
      if (status === 200) {
        await fs.mkdir(this.o.tmpDir, { recursive: true });
        // pipeline() applies backpressure: the socket is read only as fast as the file is written, so at most a few
        // chunks are buffered whatever the export size (undici's fetch + Readable.fromWeb kept ~40-60 MB more RSS).
        // Every socket read is a fresh 64 KiB buffer and V8 collects those only after ~30-60 MB of them (its external
        // memory limit), which malloc keeps as RSS: a young GC (~1 ms) every 4 MiB keeps it at a few MB (downloading a
        // 147 MB window: 73 -> 113 MB RSS without, 73 -> 86 MB with, no measurable CPU). See young-gc.ts.
        let written = 0;
        const allocated = youngGcEvery(GC_EVERY_BYTES);
        res.on('data', (c: Buffer) => {
          written += c.length;
          allocated(c.length);
        });
        try {
          await pipeline(res, createWriteStream(file, { highWaterMark: 1 << 20 }));
        } catch (cause) {
          throw new EventlakeError(`download of ${window} broke off: ${describeHttpError(cause)}`, { step: STEP, code: 'NETWORK', retryable: true, cause, context: ctx });
        }
        const declared = Number(res.headers['content-length']);
        if (res.headers['content-length'] !== undefined && Number.isFinite(declared) && declared !== written) {
          throw new EventlakeError(`download of ${window} broke off: ${written} of ${declared} bytes`, { step: STEP, code: 'NETWORK', retryable: true, context: ctx });
        }
        const head = Buffer.alloc(4);
        const fh = await fs.open(file, 'r');
        try {
          await fh.read(head, 0, 4, 0);
        } finally {
          await fh.close();
        }
        if (written < 22 || head[0] !== ZIP_MAGIC[0] || head[1] !== ZIP_MAGIC[1]) {
          throw new EventlakeError(
            `export of ${window} answered 200 but the body is not a zip (${written} bytes, content-type ${res.headers['content-type'] ?? 'none'})`,
            { step: STEP, code: 'NOT_A_ZIP', retryable: true, context: ctx },
          );
        }
        return { kind: 'zip', file, bytes: written };
      }
      const body = (await readSome(res, 4096).catch(() => '')).slice(0, 300).replace(/\s+/g, ' ').trim();
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
      const retryAfter = Number(res.headers['retry-after']);
      throw new EventlakeError(`export of ${window} answered HTTP ${status}: ${body || '(no body)'}`, {
        step: STEP,
        code: `HTTP_${status}`,
        retryable,
        context: { ...ctx, status, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, this.o.retry.maxMs) : undefined },
      });
    } catch (e) {
      res?.destroy();
      await fs.rm(file, { force: true });
      throw e;
    }
  }

  /**
   * GET with node:http(s) (not global fetch: undici's web streams buffer far more of a fast body than a file write
   * stream needs). Resolves with the response of the last redirect (followed like fetch does, up to 5; the
   * Authorization header only goes to the export URL's origin). An idle timeout covers the whole exchange: no
   * answer, or no body bytes, for timeoutMs destroys the request (a large export may take long, but never stalls).
   */
  private get(url: string, redirects = 0): Promise<IncomingMessage> {
    const target = new URL(url);
    const sameOrigin = target.origin === new URL(this.exportUrl).origin;
    const headers: Record<string, string> = { accept: 'application/zip' };
    if (sameOrigin) headers.authorization = this.auth;
    const idle = `no data for ${this.o.timeoutMs} ms`;
    return new Promise<IncomingMessage>((resolve, reject) => {
      let answer: IncomingMessage | undefined;
      const req = (target.protocol === 'https:' ? httpsGet : httpGet)(target, { headers }, (res) => {
        answer = res;
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          res.resume();
          if (redirects >= 5) return reject(new Error(`too many redirects (last to ${new URL(location, target).origin})`));
          return resolve(this.get(new URL(location, target).href, redirects + 1));
        }
        resolve(res);
      });
      // Socket idle timeout: fires when neither the answer nor body bytes arrive for timeoutMs, also mid-body.
      // The body is destroyed first so that its reader sees this reason, not a bare "aborted".
      req.setTimeout(this.o.timeoutMs, () => {
        answer?.destroy(new Error(idle));
        req.destroy(new Error(idle));
      });
      req.on('error', reject);
    });
  }
}

const GC_EVERY_BYTES = 4 * 1024 * 1024;
/** Up to `max` characters of an error body; the rest is not read (the response is destroyed by the caller). */
async function readSome(res: IncomingMessage, max: number): Promise<string> {
  let out = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    out += chunk as string;
    if (out.length >= max) break;
  }
  return out;
}

function describeHttpError(cause: unknown): string {
  const e = cause as Error & { code?: string };
  return e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
}

