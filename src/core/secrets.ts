// Secrets come from the environment (and .env, loaded by the config loader), never from code or config files.
// Every secret value read through here is remembered so that logs and error messages can scrub it.
const known = new Set<string>();

export class MissingSecretError extends Error {
  constructor(readonly envName: string, readonly purpose: string) {
    super(`missing secret ${envName} (${purpose}): set it in the environment or in .env`);
  }
}

/** Registers a value as secret so it is scrubbed from logs and errors. Values shorter than 4 chars are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) known.add(value);
}

/** Reads a secret from the environment; throws MissingSecretError when absent and required. */
export function readSecret(envName: string, purpose: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[envName];
  if (v === undefined || v === '') throw new MissingSecretError(envName, purpose);
  registerSecret(v);
  return v;
}

export function readOptionalSecret(envName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[envName];
  if (v === undefined || v === '') return undefined;
  registerSecret(v);
  return v;
}

/** Replaces every known secret value (and its base64 form, as in Basic auth headers) with "***". */
export function redact(text: string): string {
  if (known.size === 0 || !text) return text;
  let out = text;
  for (const s of known) {
    if (out.includes(s)) out = out.split(s).join('***');
    const b64 = Buffer.from(s).toString('base64');
    if (b64.length >= 6 && out.includes(b64)) out = out.split(b64).join('***');
  }
  // Basic/Bearer authorization values even when the secret was never registered.
  return out.replace(/(authorization["']?\s*[:=]\s*["']?(?:basic|bearer|token)\s+)[A-Za-z0-9+/=._-]+/gi, '$1***');
}

/** For tests. */
export function _knownSecretCount(): number {
  return known.size;
}
