// Alerts on failure, recovery, anomaly, data quality and freshness, to a Slack webhook and/or SNS.
// Every text is passed through redact() before it leaves the process, and the same alert (kind + subject) is sent
// at most once per `dedupMinutes` (state kept on the lake, so separate CLI processes dedup too).
import { createHash } from 'node:crypto';
import { EventlakeError } from '../core/errors.ts';
import { redact } from '../core/secrets.ts';
import { getJson, putJson, type Storage } from '../core/storage.ts';
import type { Logger } from '../core/log.ts';
import type { LakeLayout } from '../lake/layout.ts';
import type { AlertsConfig } from '../config/sections/operate.ts';
import { SnsPublisher } from '../cloud/aws/sns.ts';
import { alertsSent } from './metrics.ts';
import { resolveSecret } from './secret-ref.ts';

export type AlertKind = 'failure' | 'recovery' | 'anomaly' | 'quality' | 'freshness';

export interface Alert {
  kind: AlertKind;
  /** Short line, also the dedup key together with kind (e.g. "pipeline github-daily 2026-11-01 failed"). */
  subject: string;
  text: string;
  fields?: Record<string, string | number | undefined>;
}

export interface Notifier {
  readonly channel: string;
  send(a: Alert): Promise<void>;
  close?(): void;
}

const ICON: Record<AlertKind, string> = { failure: ':red_circle:', recovery: ':large_green_circle:', anomaly: ':warning:', quality: ':no_entry:', freshness: ':hourglass:' };

function render(a: Alert): string {
  const lines = [a.subject, a.text];
  for (const [k, v] of Object.entries(a.fields ?? {})) if (v !== undefined) lines.push(`${k}: ${v}`);
  return redact(lines.filter(Boolean).join('\n'));
}

export class SlackNotifier implements Notifier {
  readonly channel = 'slack';
  constructor(private readonly webhookUrl: string) {}
  async send(a: Alert): Promise<void> {
    const body = { text: `${ICON[a.kind]} ${redact(a.subject)}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: render(a) } }] };
    let res: Response;
    try {
      res = await fetch(this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      // The URL itself is a secret: never put it in the message.
      throw new EventlakeError(`Slack webhook unreachable: ${redact((e as Error).message)}`, { step: 'alerts.slack', retryable: true });
    }
    if (!res.ok) throw new EventlakeError(`Slack webhook answered HTTP ${res.status}`, { step: 'alerts.slack', retryable: res.status >= 500 || res.status === 429 });
  }
}

export class SnsNotifier implements Notifier {
  readonly channel = 'sns';
  constructor(private readonly publisher: SnsPublisher) {}
  async send(a: Alert): Promise<void> {
    await this.publisher.publish(redact(`[eventlake] ${a.kind}: ${a.subject}`), render(a));
  }
  close(): void {
    this.publisher.close();
  }
}

export interface AlerterOptions {
  storage?: Storage;
  layout?: LakeLayout;
  dedupMinutes?: number;
  log?: Logger;
  now?: () => number;
}

export class Alerter {
  constructor(readonly notifiers: Notifier[], private readonly o: AlerterOptions = {}) {}

  get enabled(): boolean {
    return this.notifiers.length > 0;
  }

  private dedupKey(a: Alert): string | undefined {
    if (!this.o.storage || !this.o.layout) return undefined;
    const h = createHash('sha256').update(`${a.kind}\n${a.subject}`).digest('hex').slice(0, 24);
    return this.o.layout.metaKey('state', 'alerts', `${h}.json`);
  }

  /** Sends to every channel; returns channels that accepted it. Never throws: a broken channel is logged. */
  async send(a: Alert): Promise<{ sent: string[]; suppressed: boolean; failed: string[] }> {
    const now = this.o.now?.() ?? Date.now();
    const key = this.dedupKey(a);
    const windowMs = (this.o.dedupMinutes ?? 60) * 60_000;
    if (key && windowMs > 0) {
      const last = await getJson<{ sentAt: number }>(this.o.storage!, key).catch(() => undefined);
      if (last && now - last.sentAt < windowMs) {
        for (const n of this.notifiers) alertsSent.inc({ kind: a.kind, channel: n.channel, outcome: 'suppressed' });
        return { sent: [], suppressed: true, failed: [] };
      }
    }
    const sent: string[] = [];
    const failed: string[] = [];
    await Promise.all(
      this.notifiers.map(async (n) => {
        try {
          await n.send(a);
          sent.push(n.channel);
          alertsSent.inc({ kind: a.kind, channel: n.channel, outcome: 'sent' });
        } catch (e) {
          failed.push(n.channel);
          alertsSent.inc({ kind: a.kind, channel: n.channel, outcome: 'failed' });
          this.o.log?.warn({ channel: n.channel, err: redact((e as Error).message) }, 'alert delivery failed');
        }
      }),
    );
    if (key && sent.length) await putJson(this.o.storage!, key, { kind: a.kind, subject: redact(a.subject), sentAt: now }).catch(() => undefined);
    return { sent, suppressed: false, failed };
  }

  close(): void {
    for (const n of this.notifiers) n.close?.();
  }
}

/** Builds the alerter from operate.alerts; channels without a configured secret/topic are simply absent. */
export async function createAlerter(
  cfg: AlertsConfig,
  o: AlerterOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<Alerter> {
  const notifiers: Notifier[] = [];
  const env = o.env ?? process.env;
  const slackUrl = await resolveSecret({ env: cfg.slack?.webhookUrlEnv ?? 'EVENTLAKE_SLACK_WEBHOOK_URL', secretId: cfg.slack?.secretId }, env);
  if (slackUrl) notifiers.push(new SlackNotifier(slackUrl));
  if (cfg.sns) notifiers.push(new SnsNotifier(new SnsPublisher(cfg.sns.topicArn, { region: cfg.sns.region, endpoint: cfg.sns.endpoint })));
  return new Alerter(notifiers, { ...o, dedupMinutes: o.dedupMinutes ?? cfg.dedupMinutes });
}
