// AWS Secrets Manager reads: the only module that calls that API. Every value read is registered for redaction.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventlakeError } from '../../core/errors.ts';
import { registerSecret } from '../../core/secrets.ts';

export interface SecretsManagerOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const cache = new Map<string, string>();

/**
 * Reads a secret string. `id` may be "name" or "name#jsonKey" to pick one field of a JSON secret.
 * Cached for the process lifetime (secrets are read at start, not per request).
 */
export async function getSecretValue(id: string, o: SecretsManagerOptions = {}): Promise<string> {
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  const [secretId, field] = id.split('#', 2) as [string, string | undefined];
  const client = new SecretsManagerClient({ region: o.region ?? process.env.AWS_REGION ?? 'us-east-1', endpoint: o.endpoint, credentials: o.credentials });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    let value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : '');
    registerSecret(value);
    if (field) {
      const parsed = JSON.parse(value) as Record<string, unknown>;
      value = String(parsed[field] ?? '');
      registerSecret(value);
    }
    if (!value) throw new Error(`secret ${secretId}${field ? ` field ${field}` : ''} is empty`);
    cache.set(id, value);
    return value;
  } catch (e) {
    throw new EventlakeError(`cannot read secret ${secretId} from AWS Secrets Manager: ${(e as Error).message}`, {
      step: 'secrets',
      retryable: !(e instanceof SyntaxError),
      cause: e,
      next: `check the secret id and that the role may call secretsmanager:GetSecretValue on it`,
    });
  } finally {
    client.destroy();
  }
}
