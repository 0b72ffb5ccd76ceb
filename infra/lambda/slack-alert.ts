// Forwards alerts from the SNS topic (pipeline failures, CloudWatch alarms) to Slack. The webhook URL lives in
// Secrets Manager (infra.secrets.slackWebhook*); it is read at run time, cached per container, never logged.
// Until a real webhook is put into the secret (it starts as a generated placeholder), alerts are logged and skipped.
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

export interface SnsEvent {
  Records: { Sns: { Subject?: string | null; Message: string; Timestamp?: string; TopicArn?: string } }[];
}

export interface SlackDeps {
  webhookUrl(): Promise<string>;
  post(url: string, body: unknown): Promise<{ status: number }>;
  log(msg: string): void;
}

let cached: string | undefined;
const sm = new SecretsManagerClient({});

export const defaultDeps: SlackDeps = {
  async webhookUrl() {
    const arn = process.env.SLACK_SECRET_ARN;
    if (!arn) throw new Error('SLACK_SECRET_ARN is not set');
    cached ??= (await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString ?? '';
    return cached;
  },
  async post(url, body) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status };
  },
  log: (m) => console.log(m),
};

/** Slack text for one SNS message: pipeline failures are JSON (see pipeline-stack AlertFailure), alarms are JSON too. */
export function formatAlert(subject: string | null | undefined, message: string): string {
  let m: Record<string, unknown> | undefined;
  try {
    m = JSON.parse(message) as Record<string, unknown>;
  } catch {
    /* plain text */
  }
  if (m && typeof m.AlarmName === 'string') return `:rotating_light: *${m.AlarmName}* is ${String(m.NewStateValue)}: ${String(m.NewStateReason ?? '')}`;
  if (m && typeof m.pipeline === 'string') {
    return [`:x: *${m.pipeline}* failed for dt ${String(m.dt)}: ${String(m.error)}`, `> ${String(m.cause).slice(0, 1500)}`, `next: ${String(m.next)}`, `execution: ${String(m.execution)}`].join('\n');
  }
  return `${subject ? `*${subject}*\n` : ''}${message.slice(0, 3000)}`;
}

export async function handler(event: SnsEvent, deps: SlackDeps = defaultDeps): Promise<{ sent: number; skipped: number }> {
  const url = (await deps.webhookUrl()).trim();
  // The generated placeholder is 32 letters/digits, never a URL (Slack-compatible webhooks of other tools work too).
  if (!/^https?:\/\/\S+$/.test(url)) {
    deps.log(`slack-alert: the webhook secret does not hold a webhook URL yet; ${event.Records.length} alert(s) not forwarded`);
    return { sent: 0, skipped: event.Records.length };
  }
  let sent = 0;
  for (const r of event.Records) {
    const res = await deps.post(url, { text: formatAlert(r.Sns.Subject, r.Sns.Message) });
    // Throwing makes SNS retry the delivery to this Lambda.
    if (res.status >= 300) throw new Error(`Slack answered HTTP ${res.status}`);
    sent++;
  }
  return { sent, skipped: 0 };
}
