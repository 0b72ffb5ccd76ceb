// One error type for the whole project: every failure says which step failed, whether retrying can help,
// what caused it, and the command a user should run next.
import { redact } from './secrets.ts';

export interface EventlakeErrorOptions {
  /** Pipeline step or component, e.g. "extract.amplitude", "transform.github", "config". */
  step: string;
  /** True when the same call may succeed later (timeouts, 429, 5xx, transient I/O). */
  retryable?: boolean;
  cause?: unknown;
  /** The command to run next, e.g. "eventlake extract amplitude --start 2026-11-01T00 --end 2026-11-01T05". */
  next?: string;
  /** Machine-readable code, e.g. "AUTH", "ZIP_SLIP", "HTTP_404". */
  code?: string;
  /** Extra context (file, record, window) shown in logs; never secrets. */
  context?: Record<string, unknown>;
}

export class EventlakeError extends Error {
  readonly step: string;
  readonly retryable: boolean;
  readonly next?: string;
  readonly code?: string;
  readonly context?: Record<string, unknown>;

  constructor(message: string, opts: EventlakeErrorOptions) {
    super(redact(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'EventlakeError';
    this.step = opts.step;
    this.retryable = opts.retryable ?? false;
    this.next = opts.next;
    this.code = opts.code;
    this.context = opts.context;
  }

  /** A user-facing multi-line description (used by the CLI). */
  describe(): string {
    const lines = [`error [${this.step}]${this.code ? ` ${this.code}` : ''}: ${this.message}`];
    let c: unknown = this.cause;
    let depth = 0;
    while (c && depth < 4) {
      const msg = c instanceof Error ? c.message : String(c);
      lines.push(`  caused by: ${redact(msg)}`);
      c = c instanceof Error ? (c as Error & { cause?: unknown }).cause : undefined;
      depth++;
    }
    if (this.retryable) lines.push('  this error is retryable: running the same command again may succeed');
    if (this.next) lines.push(`  next: ${this.next}`);
    return lines.join('\n');
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof EventlakeError ? err.retryable : false;
}

/** Wraps any thrown value into an EventlakeError for `step`, keeping an existing one untouched. */
export function asEventlakeError(err: unknown, step: string, next?: string): EventlakeError {
  if (err instanceof EventlakeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EventlakeError(message, { step, cause: err, next });
}

/** Process exit codes used by the CLI. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  CONFIG: 3,
  PARTIAL: 4, // some windows/files failed, the rest landed
  QUALITY: 5, // a data-quality check failed and promotion stopped
} as const;
