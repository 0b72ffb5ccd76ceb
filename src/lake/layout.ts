// Lake layout: the one place that knows key names. Same keys on a local folder and on S3.
//   raw/<source>/dt=YYYY-MM-DD/hour=HH/<batch>.json.gz        bronze, write-once
//   python-import/<source>/...                                 Snowflake external stage prefix
//   cleaned/<source>/<table>/dt=YYYY-MM-DD/*.parquet           silver
//   aggregated/<domain>/<table>/[dt=YYYY-MM-DD/]*.parquet      gold
//   quarantine/<source>/dt=YYYY-MM-DD/<batch>.ndjson.gz        rejected records + reason
//   _eventlake/                                                manifests, checkpoints, run history
export interface LakePrefixes {
  raw: string;
  stage: string;
  cleaned: string;
  aggregated: string;
  quarantine: string;
  meta: string;
  archive: string;
}

export const DEFAULT_PREFIXES: LakePrefixes = Object.freeze({
  raw: 'raw',
  stage: 'python-import',
  cleaned: 'cleaned',
  aggregated: 'aggregated',
  quarantine: 'quarantine',
  meta: '_eventlake',
  archive: 'archive',
});

const DT_RE = /^\d{4}-\d{2}-\d{2}$/;

export function assertDt(dt: string): string {
  if (!DT_RE.test(dt) || Number.isNaN(Date.parse(`${dt}T00:00:00Z`))) throw new Error(`invalid dt ${JSON.stringify(dt)}: expected YYYY-MM-DD`);
  return dt;
}

export const pad2 = (n: number) => String(n).padStart(2, '0');

export class LakeLayout {
  constructor(readonly prefixes: LakePrefixes = DEFAULT_PREFIXES) {
    Object.freeze(this);
  }

  rawPrefix(source: string, dt?: string, hour?: number): string {
    let p = `${this.prefixes.raw}/${source}/`;
    if (dt) p += `dt=${assertDt(dt)}/`;
    if (dt && hour !== undefined) p += `hour=${pad2(hour)}/`;
    return p;
  }

  rawKey(source: string, dt: string, hour: number, fileName: string): string {
    return `${this.rawPrefix(source, dt, hour)}${fileName}`;
  }

  stagePrefix(source: string): string {
    return `${this.prefixes.stage}/${source}/`;
  }

  cleanedPrefix(source: string, table: string, dt?: string): string {
    return `${this.prefixes.cleaned}/${source}/${table}/` + (dt ? `dt=${assertDt(dt)}/` : '');
  }

  aggregatedPrefix(domain: string, table: string, dt?: string): string {
    return `${this.prefixes.aggregated}/${domain}/${table}/` + (dt ? `dt=${assertDt(dt)}/` : '');
  }

  quarantineKey(source: string, dt: string, batch: string): string {
    return `${this.prefixes.quarantine}/${source}/dt=${assertDt(dt)}/${batch}.ndjson.gz`;
  }

  quarantinePrefix(source: string, dt?: string): string {
    return `${this.prefixes.quarantine}/${source}/` + (dt ? `dt=${assertDt(dt)}/` : '');
  }

  /** _eventlake/<kind>/<parts...> */
  metaKey(kind: 'manifests' | 'checkpoints' | 'runs' | 'load-history' | 'audit' | 'locks' | 'gaps' | 'state', ...parts: string[]): string {
    return [this.prefixes.meta, kind, ...parts].join('/');
  }

  archiveKey(rawKey: string): string {
    return `${this.prefixes.archive}/${rawKey}`;
  }
}

/** Parses dt=YYYY-MM-DD and hour=HH out of a key, when present. */
export function partitionOf(key: string): { dt?: string; hour?: number } {
  const dt = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})(?:\/|$)/.exec(key)?.[1];
  const h = /(?:^|\/)hour=(\d{2})(?:\/|$)/.exec(key)?.[1];
  return { dt, hour: h === undefined ? undefined : Number(h) };
}

/** Inclusive list of dates between two YYYY-MM-DD strings. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${assertDt(to)}T00:00:00Z`);
  for (let t = Date.parse(`${assertDt(from)}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
