// The only module that imports snowflake-sdk. Key-pair (JWT) auth when a private key is in the environment,
// password otherwise; both read through readSecret so logs and errors redact them.
import { EventlakeError } from '../../core/errors.ts';
import { readOptionalSecret, registerSecret } from '../../core/secrets.ts';

export type SnowflakeRow = Record<string, unknown>;

/** What the loader needs from Snowflake: run one statement, get rows back. Tests inject their own. */
export interface SqlExecutor {
  execute(sql: string): Promise<SnowflakeRow[]>;
  close(): Promise<void>;
}

export interface SnowflakeConnectConfig {
  account: string;
  username: string;
  role?: string;
  warehouse?: string;
  database: string;
  schema: string;
  privateKeyEnv: string;
  privateKeyPassphraseEnv: string;
  passwordEnv: string;
  /** Override of https://<account>.snowflakecomputing.com (PrivateLink, or a local endpoint in tests). */
  accessUrl?: string;
}

const STEP = 'warehouse.snowflake';

/** Snowflake error codes / messages that are worth retrying (network, throttling, warehouse resuming). */
function retryable(e: { code?: unknown; message?: string }): boolean {
  const c = String(e.code ?? '');
  return /ECONNRESET|ETIMEDOUT|ECONNREFUSED|EAI_AGAIN|socket hang up|429|503|502|504/i.test(`${c} ${e.message ?? ''}`) || c === '390114' /* token expired */;
}

function toError(e: unknown, what: string): EventlakeError {
  if (e instanceof EventlakeError) return e;
  const err = e as { code?: unknown; message?: string; sqlState?: string };
  const auth = /390100|390144|390318|JWT|authenticat|password/i.test(`${String(err.code ?? '')} ${err.message ?? ''}`);
  return new EventlakeError(`${what}: ${err.message ?? String(e)}`, {
    step: STEP,
    code: auth ? 'AUTH' : err.sqlState ? `SQLSTATE_${err.sqlState}` : 'SNOWFLAKE',
    retryable: !auth && retryable(err),
    cause: e,
    next: auth
      ? 'check warehouse.snowflake.account/username and the private key in $SNOWFLAKE_PRIVATE_KEY (ALTER USER … SET RSA_PUBLIC_KEY)'
      : undefined,
  });
}

export async function connectSnowflake(cfg: SnowflakeConnectConfig, env: NodeJS.ProcessEnv = process.env): Promise<SqlExecutor> {
  const privateKey = readOptionalSecret(cfg.privateKeyEnv, env);
  const passphrase = readOptionalSecret(cfg.privateKeyPassphraseEnv, env);
  const password = privateKey ? undefined : readOptionalSecret(cfg.passwordEnv, env);
  if (!privateKey && !password) {
    throw new EventlakeError(`no Snowflake credentials: set ${cfg.privateKeyEnv} (PEM private key, key-pair auth) or ${cfg.passwordEnv}`, {
      step: STEP,
      code: 'CONFIG',
      next: `export ${cfg.privateKeyEnv}="$(cat rsa_key.p8)"  (or put it in .env)`,
    });
  }
  // PEM bodies split across lines are registered line by line too, so a partial echo is still redacted.
  for (const line of (privateKey ?? '').split('\n')) registerSecret(line.trim().length >= 16 ? line.trim() : undefined);

  const mod = (await import('snowflake-sdk')) as unknown as { default?: typeof import('snowflake-sdk') } & typeof import('snowflake-sdk');
  const sdk = mod.default ?? mod;
  // The SDK logs to ./snowflake.log by default; keep it quiet and in memory.
  sdk.configure({ logLevel: 'OFF' as never, additionalLogToConsole: false } as never);
  const conn = sdk.createConnection({
    account: cfg.account,
    username: cfg.username,
    role: cfg.role,
    warehouse: cfg.warehouse,
    database: cfg.database,
    schema: cfg.schema,
    accessUrl: cfg.accessUrl,
    ...(privateKey
      ? { authenticator: 'SNOWFLAKE_JWT', privateKey: privateKey.replace(/\\n/g, '\n'), privateKeyPass: passphrase }
      : { password }),
  });
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  } catch (e) {
    throw toError(e, `connecting to Snowflake account ${cfg.account} as ${cfg.username}`);
  }
  return {
    execute(sqlText: string) {
      return new Promise<SnowflakeRow[]>((resolve, reject) => {
        conn.execute({
          sqlText,
          complete: (err, _stmt, rows) => (err ? reject(toError(err, `Snowflake statement failed (${sqlText.split('\n')[0]!.slice(0, 80)} …)`)) : resolve((rows ?? []) as SnowflakeRow[])),
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => conn.destroy(() => resolve()));
    },
  };
}
