// Resolves a secret named in config by reference: an environment variable (or .env) first, else AWS Secrets
// Manager. Values are registered for redaction by both paths.
import { readOptionalSecret } from '../core/secrets.ts';
import { getSecretValue } from '../cloud/aws/secrets-manager.ts';

export interface SecretRef {
  env?: string;
  secretId?: string;
}

export async function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const fromEnv = ref.env ? readOptionalSecret(ref.env, env) : undefined;
  if (fromEnv) return fromEnv;
  if (ref.secretId) return getSecretValue(ref.secretId, { endpoint: env.EVENTLAKE_SECRETS_ENDPOINT });
  return undefined;
}
