// The dashboard's JSON API client: every call carries the signed-in principal's bearer token.
export type Row = Record<string, string | number | boolean | null | undefined>;

export interface PanelResult {
  panel: string;
  columns: string[];
  rows: Row[];
  truncated: boolean;
  ms: number;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const TOKEN_KEY = 'eventlake.token';

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(t: string | null) {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`./api/${path}`, { headers: { authorization: `Bearer ${session.token ?? ''}` } });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`);
  return body as T;
}

export const api = {
  me: () => get<{ principal: string; owner: string | null; admin: boolean }>('me'),
  panel: (name: string, params: Record<string, string | number | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
    return get<PanelResult>(`panels/${name}?${q}`);
  },
  health: () => get<Health>('health'),
};

export interface Health {
  generatedAt: string;
  pipelines: { pipeline: string; window: string; runId: string; status: string; trigger: string; startedAt: string; finishedAt?: string; durationMs?: number; failedStep?: string; error?: string; recent: string[] }[];
  runs: { runId: string; pipeline: string; window: string; status: string; trigger: string; startedAt: string; durationMs?: number }[];
  freshness: { source: string; newestWindow?: string; lagSeconds?: number; stale: boolean }[];
  quarantine: { source: string; files: number; bytes: number; records?: number; latestDt?: string; reasons: Record<string, number> }[];
  alerts: { kind: string; subject: string; sentAt: string }[];
  anomalies: { source: string; generatedAt: string; days: number; flagged: { series: string; dt: string; count: number; median: number; z: number; direction: string; explanation: string }[] }[];
}
