// What every stack reads: the infra config section plus the few shared keys (lake prefixes, collector buffering).
import type { EventlakeConfig } from '../../src/config/schema.ts';
import type { InfraConfig } from '../../src/config/sections/infra.ts';
import type { LakePrefixes } from '../../src/lake/layout.ts';
import { RemovalPolicy } from 'aws-cdk-lib';

export interface InfraSettings {
  infra: InfraConfig;
  prefixes: LakePrefixes;
  /** Firehose buffering (infra.firehose.* wins, else the collector's own hints so both collectors behave alike). */
  bufferSizeMiB: number;
  bufferIntervalSeconds: number;
  /** Project root, for bundling Lambda code from the project's own sources. */
  projectRoot: string;
}

export function settingsFrom(config: EventlakeConfig, projectRoot: string): InfraSettings {
  return Object.freeze({
    infra: config.infra,
    prefixes: config.lake.prefixes,
    bufferSizeMiB: config.infra.firehose.bufferSizeMiB ?? config.collector.bufferSizeMiB,
    bufferIntervalSeconds: config.infra.firehose.bufferIntervalSeconds ?? config.collector.bufferIntervalSeconds,
    projectRoot,
  });
}

export function removalPolicy(s: InfraSettings): RemovalPolicy {
  return s.infra.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
