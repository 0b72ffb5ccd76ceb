// One synthesis per test process, shared by every describe() in the file that imports it (synth takes seconds).
// The config turns every optional part on (Lake Formation owners, Redshift) so all stacks are asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { configSchema, type EventlakeConfig } from '../../src/config/schema.ts';
import { synthApp } from '../../infra/app.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
export const ACCOUNT = '123456789012';
export const SNOWFLAKE_USER_ARN = 'arn:aws:iam::999999999999:user/abc1-s-v2st0000';
export const SNOWFLAKE_EXTERNAL_ID = 'MYACCOUNT_SFCRole=2_abcdefghijklmnopqrstuvwxyz=';

/** Fake secret values put in the environment during synth: none may appear in any synthesized file. */
export const FAKE_SECRETS = {
  GITHUB_TOKEN: 'ghp_FAKEeventlakeTESTtoken0123456789abcdef',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000FAKE/B000FAKE/eventlakeFAKEwebhook0123',
  SNOWFLAKE_PASSWORD: 'Sn0wflake-FAKE-password-eventlake',
  AMPLITUDE_SECRET_KEY: 'amp-FAKE-secret-key-0123456789abcdef',
};

export const OWNERS = [
  { name: 'acme', principalArn: `arn:aws:iam::${ACCOUNT}:role/owner-acme`, repoIds: [101, 102, 103] },
  { name: 'globex', principalArn: `arn:aws:iam::${ACCOUNT}:role/owner-globex`, repoIds: [201] },
];

export function fullConfig(): EventlakeConfig {
  return configSchema.parse({
    collector: { bufferSizeMiB: 64, bufferIntervalSeconds: 120 },
    infra: {
      account: ACCOUNT,
      region: 'eu-west-1',
      snowflakeIamUserArn: SNOWFLAKE_USER_ARN,
      snowflakeExternalId: SNOWFLAKE_EXTERNAL_ID,
      lifecycle: { rawArchiveAfterDays: 120 },
      athena: { bytesScannedCutoffPerQuery: 5_000_000_000 },
      lakeFormation: { enabled: true, owners: OWNERS },
      redshift: { enabled: true, baseCapacityRpu: 8, usageLimitRpuHours: 12 },
      alerts: { emails: ['oncall@example.com'] },
    },
  });
}

export interface Synthesized {
  dir: string;
  config: EventlakeConfig;
  templates: Record<string, Template>;
  json: Record<string, Record<string, unknown>>;
  warnings: string[];
  cleanup(): void;
}

let cached: Synthesized | undefined;

export function synthesized(): Synthesized {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'eventlake-cdk-test-'));
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(FAKE_SECRETS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    const config = fullConfig();
    const { assembly } = synthApp(config, { projectRoot: PROJECT_ROOT, outdir: dir });
    const templates: Record<string, Template> = {};
    const json: Record<string, Record<string, unknown>> = {};
    const warnings: string[] = [];
    for (const st of assembly.stacks) {
      const short = st.stackName.replace(/^Eventlake-/, '');
      json[short] = st.template as Record<string, unknown>;
      templates[short] = Template.fromJSON(st.template as Record<string, unknown>);
      for (const m of st.messages) if (m.level === 'warning') warnings.push(`${st.stackName}: ${String(m.entry.data)}`);
    }
    cached = { dir, config, templates, json, warnings, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    return cached;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

type Res = { Type: string; Properties?: Record<string, any> };

/** All resources of a type in a template, as [logicalId, resource]. */
export function resources(t: Template, type: string): [string, Res][] {
  return Object.entries(t.findResources(type)) as [string, Res][];
}

/** Every IAM statement in a template: managed/inline policies, role/user inline policies, bucket/key/topic policies. */
export function allStatements(t: Template): { where: string; stmt: Record<string, any> }[] {
  const out: { where: string; stmt: Record<string, any> }[] = [];
  const collect = (where: string, doc: any) => {
    for (const s of doc?.Statement ?? []) out.push({ where, stmt: s });
  };
  for (const [id, r] of Object.entries(t.toJSON().Resources ?? {}) as [string, Res][]) {
    const p = r.Properties ?? {};
    if (p.PolicyDocument) collect(id, p.PolicyDocument);
    if (p.KeyPolicy) collect(id, p.KeyPolicy);
    if (p.AssumeRolePolicyDocument) collect(`${id}(trust)`, p.AssumeRolePolicyDocument);
    for (const pol of p.Policies ?? []) collect(id, pol.PolicyDocument);
  }
  return out;
}

export const asArray = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Statements attached to a given role/user logical id (inline Policies + AWS::IAM::Policy resources naming it). */
export function statementsFor(t: Template, principalLogicalId: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const [, r] of resources(t, 'AWS::IAM::Policy')) {
    const refs = [...asArray(r.Properties?.Roles), ...asArray(r.Properties?.Users)].map((x: any) => x?.Ref);
    if (refs.includes(principalLogicalId)) out.push(...(r.Properties?.PolicyDocument?.Statement ?? []));
  }
  return out;
}

export function logicalIdOf(t: Template, type: string, pred: (props: Record<string, any>) => boolean): string {
  const hit = resources(t, type).filter(([, r]) => pred(r.Properties ?? {}));
  if (hit.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${hit.length}`);
  return hit[0]![0];
}

/**
 * Renders CloudFormation intrinsics into readable strings so assertions can match ARNs and definitions:
 * {Ref: X} → "X", {Fn::GetAtt: [X, Arn]} → "X.Arn", {Fn::Join: ["", [...]]} → joined, {Fn::ImportValue: n} → "import:n".
 */
export function render(x: unknown): any {
  if (Array.isArray(x)) return x.map(render);
  if (x && typeof x === 'object') {
    const o = x as Record<string, any>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0]!;
      if (k === 'Ref') return String(o.Ref);
      if (k === 'Fn::GetAtt') return asArray(o[k]).join('.');
      if (k === 'Fn::ImportValue') return `import:${render(o[k])}`;
      if (k === 'Fn::Join') {
        const [sep, parts] = o[k] as [string, unknown[]];
        return (parts.map(render) as unknown[]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
      }
      if (k === 'Fn::Select') {
        const [i, list] = o[k] as [number, unknown];
        const l = render(list);
        return Array.isArray(l) ? l[i] : `select(${i},${JSON.stringify(l)})`;
      }
      if (k === 'Fn::Split') return `split(${JSON.stringify(render(o[k]))})`;
    }
    return Object.fromEntries(keys.map((k) => [k, render(o[k])]));
  }
  return x;
}
