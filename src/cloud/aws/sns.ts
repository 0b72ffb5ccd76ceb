// SNS publish: the only module that calls the SNS API. Endpoint override lets tests use a local server.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventlakeError } from '../../core/errors.ts';

export interface SnsOptions {
  region: string;
  endpoint?: string;
  /** Explicit credentials (tests); otherwise the default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class SnsPublisher {
  private readonly client: SNSClient;
  constructor(readonly topicArn: string, o: SnsOptions) {
    this.client = new SNSClient({ region: o.region, endpoint: o.endpoint, credentials: o.credentials, maxAttempts: 3 });
  }

  async publish(subject: string, message: string): Promise<string | undefined> {
    try {
      // SNS subjects: ASCII, no newlines, at most 100 chars.
      const safeSubject = subject.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100);
      const out = await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Subject: safeSubject, Message: message }));
      return out.MessageId;
    } catch (e) {
      throw new EventlakeError(`SNS publish to ${this.topicArn} failed: ${(e as Error).message}`, {
        step: 'alerts.sns',
        retryable: true,
        cause: e,
      });
    }
  }

  close(): void {
    this.client.destroy();
  }
}
