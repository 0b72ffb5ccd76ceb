// The dashboard's panels: each one is a single SELECT over governed gold tables, so it runs through the same
// guard + per-principal views as any query API request (a repo owner's panels only ever see their repos).
// All dashboard SQL lives here. Parameters are validated (dates, ints, repo names from a picker) and written as
// SQL literals, because the governed path takes SQL text only; every literal goes through sqlLiteral().
import { EventlakeError } from '../../core/errors.ts';

export type Domain = 'github' | 'amplitude';

export interface PanelParams {
  from: string;
  to: string;
  repos: string[];
  limit: number;
  by: string;
}

/**
 * Which small per-day rollups of the GitHub gold a principal can use in place of fact_events: repo_daily (events and
 * stars per repo and day) and user_daily (events per user and day). They answer the same questions from a table a
 * fraction of fact_events' size, with no join over every row; see rollupsFor() for when they give the same answer.
 */
export interface Rollups {
  repoDaily: boolean;
  userDaily: boolean;
}

export const NO_ROLLUPS: Rollups = Object.freeze({ repoDaily: false, userDaily: false });

export interface PanelDef {
  name: string;
  domain: Domain;
  title: string;
  description: string;
  sql(p: PanelParams, r?: Rollups): string;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const AMPLITUDE_DIMENSIONS = ['event_type', 'platform', 'country'] as const;

/** A single-quoted SQL string literal (quotes doubled; NUL refused). */
export function sqlLiteral(s: string): string {
  if (s.includes('\u0000')) throw new EventlakeError('NUL in a dashboard parameter', { step: 'dashboard', code: 'USAGE' });
  return `'${s.replace(/'/g, "''")}'`;
}

const date = (d: string) => `CAST(${sqlLiteral(d)} AS DATE)`;

function repoFilter(p: PanelParams, col = 'f.repo_id'): string {
  // Repos are picked by name; the current name is dim_repo's (a name reused by another id picks both ids).
  if (!p.repos.length) return '';
  return ` AND ${col} IN (SELECT repo_id FROM dim_repo WHERE repo_name IN (${p.repos.map(sqlLiteral).join(', ')}))`;
}

const range = (p: PanelParams, col = 'f.dt') => `${col} BETWEEN ${date(p.from)} AND ${date(p.to)}`;

/**
 * Top `limit` keys of a per-day rollup by a measure over the range, as `SELECT <key>, <as>`. A rollup has one row per
 * key and day, so a one-day range needs no aggregation: a top-N scan instead of a hash aggregate over every key.
 */
function topOfRollup(table: string, key: string, measure: string, as: string, p: PanelParams, limit: number, where = ''): string {
  if (p.from === p.to) {
    return `SELECT f.${key}, f.${measure} AS ${as} FROM ${table} f WHERE f.dt = ${date(p.from)}${where} ORDER BY ${as} DESC, f.${key} LIMIT ${limit}`;
  }
  return `SELECT f.${key}, SUM(f.${measure}) AS ${as} FROM ${table} f WHERE ${range(p)}${where} GROUP BY f.${key} ORDER BY ${as} DESC, f.${key} LIMIT ${limit}`;
}

export const PANELS: readonly PanelDef[] = [
  {
    name: 'github_bounds',
    domain: 'github',
    title: 'Days with GitHub data',
    description: 'first and last day of fact_events (sets the default date range)',
    sql: () => `SELECT CAST(min(dt) AS VARCHAR) AS first_day, CAST(max(dt) AS VARCHAR) AS last_day FROM fact_events`,
  },
  {
    name: 'github_repos',
    domain: 'github',
    title: 'Repositories',
    description: 'the most active repositories in the range, for the repository picker',
    sql: (p, r = NO_ROLLUPS) =>
      r.repoDaily
        ? `WITH t AS (${topOfRollup('repo_daily', 'repo_id', 'event_count', 'events', p, 200)}) ` +
          `SELECT r.repo_name, CAST(SUM(t.events) AS BIGINT) AS events FROM t JOIN dim_repo r ON r.repo_id = t.repo_id GROUP BY r.repo_name ORDER BY events DESC, r.repo_name`
        : `SELECT r.repo_name, CAST(SUM(f.event_count) AS BIGINT) AS events FROM fact_events f JOIN dim_repo r ON r.repo_id = f.repo_id ` +
          `WHERE ${range(p)} GROUP BY r.repo_name ORDER BY events DESC, r.repo_name LIMIT 200`,
  },
  {
    name: 'events_by_repo',
    domain: 'github',
    title: 'Events by repository over time',
    description: 'events per day for the picked repositories (default: the most active ones in the range)',
    sql: (p, r = NO_ROLLUPS) => {
      const t = r.repoDaily ? 'repo_daily' : 'fact_events';
      const picked = r.repoDaily
        ? `WITH picked AS (${topOfRollup('repo_daily', 'repo_id', 'event_count', 'total', p, p.limit, ` AND f.repo_id <> 0${repoFilter(p)}`)}) `
        : `WITH picked AS (SELECT f.repo_id, SUM(f.event_count) AS total FROM ${t} f WHERE ${range(p)} AND f.repo_id <> 0${repoFilter(p)} ` +
          `GROUP BY f.repo_id ORDER BY total DESC, f.repo_id LIMIT ${p.limit}) `;
      return (
        picked +
        `SELECT CAST(f.dt AS VARCHAR) AS day, r.repo_id, r.repo_name, CAST(SUM(f.event_count) AS BIGINT) AS events ` +
        `FROM ${t} f JOIN picked k ON k.repo_id = f.repo_id JOIN dim_repo r ON r.repo_id = f.repo_id ` +
        `WHERE ${range(p)} GROUP BY f.dt, r.repo_id, r.repo_name ORDER BY day, events DESC, r.repo_id`
      );
    },
  },
  {
    name: 'most_active_users',
    domain: 'github',
    title: 'Most active users',
    description: 'users with the most events in the range (bots flagged)',
    sql: (p, r = NO_ROLLUPS) =>
      r.userDaily && !p.repos.length
        ? `WITH t AS (${topOfRollup('user_daily', 'user_id', 'event_count', 'events', p, p.limit)}) ` +
          `SELECT u.login, u.is_bot, CAST(t.events AS BIGINT) AS events FROM t JOIN dim_user u ON u.user_id = t.user_id ORDER BY t.events DESC, t.user_id`
        : // Rank on fact_events alone, then look up the few winners in dim_user (not a join over every user).
          `WITH t AS (SELECT f.user_id, SUM(f.event_count) AS events FROM fact_events f WHERE ${range(p)}${repoFilter(p)} ` +
          `GROUP BY f.user_id ORDER BY events DESC, f.user_id LIMIT ${p.limit}) ` +
          `SELECT u.login, u.is_bot, CAST(t.events AS BIGINT) AS events FROM t JOIN dim_user u ON u.user_id = t.user_id ORDER BY t.events DESC, t.user_id`,
  },
  {
    name: 'event_type_trends',
    domain: 'github',
    title: 'Event type trends',
    description: 'events per day and event type',
    sql: (p) =>
      `SELECT CAST(f.dt AS VARCHAR) AS day, f.event_type, CAST(SUM(f.event_count) AS BIGINT) AS events FROM fact_events f ` +
      `WHERE ${range(p)}${repoFilter(p)} GROUP BY f.dt, f.event_type ORDER BY day, events DESC, f.event_type`,
  },
  {
    name: 'top_repos_by_stars',
    domain: 'github',
    title: 'Top repositories by stars',
    description: 'stars gained (WatchEvent) in the range',
    sql: (p, r = NO_ROLLUPS) =>
      r.repoDaily
        ? `WITH t AS (${topOfRollup('repo_daily', 'repo_id', 'stars', 'stars', p, p.limit, repoFilter(p))}) ` +
          `SELECT r.repo_name, CAST(t.stars AS BIGINT) AS stars FROM t JOIN dim_repo r ON r.repo_id = t.repo_id WHERE t.stars > 0 ORDER BY t.stars DESC, t.repo_id`
        : `SELECT r.repo_name, CAST(SUM(f.event_count) AS BIGINT) AS stars FROM fact_events f JOIN dim_repo r ON r.repo_id = f.repo_id ` +
          `WHERE f.event_type = 'WatchEvent' AND ${range(p)}${repoFilter(p)} GROUP BY r.repo_id, r.repo_name ORDER BY stars DESC, r.repo_id LIMIT ${p.limit}`,
  },
  {
    name: 'amplitude_bounds',
    domain: 'amplitude',
    title: 'Days with Amplitude data',
    description: 'first and last event day of daily_events',
    sql: () => `SELECT CAST(min(event_date) AS VARCHAR) AS first_day, CAST(max(event_date) AS VARCHAR) AS last_day FROM daily_events`,
  },
  {
    name: 'amplitude_daily_events',
    domain: 'amplitude',
    title: 'Daily events',
    description: 'events per day by event type, platform or country (top series by volume, the rest as "other")',
    sql: (p) => {
      const by = p.by;
      // The 11 largest series keep their name, the rest fold into "(other)" so the legend stays readable.
      return (
        `WITH t AS (SELECT CAST(event_date AS VARCHAR) AS day, CAST(${by} AS VARCHAR) AS series, SUM(event_count) AS events FROM daily_events ` +
        `WHERE ${range(p, 'event_date')} GROUP BY 1, 2), ` +
        `top AS (SELECT series FROM t GROUP BY series ORDER BY SUM(events) DESC, series LIMIT 11) ` +
        `SELECT t.day, CASE WHEN t.series IN (SELECT series FROM top) THEN t.series ELSE '(other)' END AS series, CAST(SUM(t.events) AS BIGINT) AS events ` +
        `FROM t GROUP BY 1, 2 ORDER BY day, events DESC, series`
      );
    },
  },
  {
    name: 'amplitude_dau',
    domain: 'amplitude',
    title: 'Daily active users',
    description: 'distinct users (or devices for anonymous users) per event day',
    sql: (p) =>
      `SELECT CAST(event_date AS VARCHAR) AS day, CAST(active_users AS BIGINT) AS active_users, CAST(active_devices AS BIGINT) AS active_devices, ` +
      `CAST(event_count AS BIGINT) AS events FROM daily_active_users WHERE ${range(p, 'event_date')} ORDER BY day`,
  },
];

const byName = new Map(PANELS.map((p) => [p.name, p]));

export function getPanel(name: string): PanelDef {
  const p = byName.get(name);
  if (!p) {
    throw new EventlakeError(`no dashboard panel ${JSON.stringify(name)} (known: ${PANELS.map((x) => x.name).join(', ')})`, { step: 'dashboard', code: 'NOT_FOUND' });
  }
  return p;
}

/** Validates query-string parameters; anything malformed is a 400 naming the parameter. */
export function parsePanelParams(q: Record<string, unknown>): PanelParams {
  const bad = (msg: string) => new EventlakeError(msg, { step: 'dashboard', code: 'USAGE' });
  const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).trim() : undefined);
  const from = str('from') || '1970-01-01';
  const to = str('to') || '9999-12-31';
  for (const [k, v] of [['from', from], ['to', to]] as const) {
    if (!DATE_RE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw bad(`parameter ${k} must be a date YYYY-MM-DD (got ${JSON.stringify(v)})`);
  }
  if (from > to) throw bad(`from (${from}) is after to (${to})`);
  const reposRaw = str('repos') ?? '';
  const repos = [...new Set(reposRaw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (repos.length > 50) throw bad('at most 50 repositories can be picked at once');
  for (const r of repos) if (r.length > 200) throw bad(`repository name too long: ${r.slice(0, 40)}…`);
  const limitRaw = str('limit');
  const limit = limitRaw === undefined || limitRaw === '' ? 10 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw bad(`parameter limit must be an integer 1-100 (got ${JSON.stringify(limitRaw)})`);
  const by = str('by') || 'event_type';
  if (!(AMPLITUDE_DIMENSIONS as readonly string[]).includes(by)) throw bad(`parameter by must be one of ${AMPLITUDE_DIMENSIONS.join(', ')} (got ${JSON.stringify(by)})`);
  return { from, to, repos, limit, by };
}
