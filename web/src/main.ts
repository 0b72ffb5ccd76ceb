// The eventlake dashboard page. Sign in with a principal's API token; every panel asks the governed API, so what a
// principal sees is what their policies allow. Filters (date range, repositories, top N) re-query the gold panels.
import './style.css';
import { api, ApiError, session, type Health, type PanelResult, type Row } from './api.ts';
import { mountChart, rankedBarOption, runsOption, timeSeriesOption, type Chart, type Option } from './charts.ts';
import { downloadCsv, renderTable } from './table.ts';
import { defaultRange, DEFAULT_BREAKDOWN, DEFAULT_LIMIT, type Bounds } from '../../src/serve/dashboard/default-range.ts';

interface PanelSpec {
  name: string;
  host: 'github' | 'amplitude';
  title: string;
  note: string;
  /** Extra control rendered in the card header (e.g. the Amplitude breakdown). */
  control?: () => HTMLElement;
  option(r: PanelResult): Option;
  params(): Record<string, string | number | undefined>;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state = { from: '', to: '', repos: [] as string[], limit: DEFAULT_LIMIT, by: DEFAULT_BREAKDOWN };

const gh = () => ({ from: state.from, to: state.to, repos: state.repos.join(','), limit: state.limit });
const amp = () => ({ from: state.from, to: state.to, by: state.by });

function bySelect(): HTMLElement {
  const s = document.createElement('select');
  s.id = 'amplitude-by';
  s.setAttribute('aria-label', 'breakdown');
  for (const v of ['event_type', 'platform', 'country']) s.add(new Option(v.replace('_', ' '), v, v === state.by, v === state.by));
  s.addEventListener('change', () => {
    state.by = s.value;
    void loadPanel(PANELS.find((p) => p.name === 'amplitude_daily_events')!);
  });
  return s;
}

const PANELS: PanelSpec[] = [
  { name: 'events_by_repo', host: 'github', title: 'Events by repository over time', note: 'picked repositories, or the most active ones', params: gh, option: (r) => timeSeriesOption('Events per day', 'events', labelRepos(r.rows), 'day', 'repo', 'events') },
  { name: 'event_type_trends', host: 'github', title: 'Event type trends', note: 'events per day and type', params: gh, option: (r) => timeSeriesOption('Events per day by type', 'events', r.rows, 'day', 'event_type', 'events', { stack: true }) },
  { name: 'most_active_users', host: 'github', title: 'Most active users', note: 'bots shown separately', params: gh, option: (r) => rankedBarOption('Events per user', 'events', r.rows, 'login', 'events', { flag: 'is_bot', flagName: 'bot' }) },
  { name: 'top_repos_by_stars', host: 'github', title: 'Top repositories by stars', note: 'WatchEvents in the range', params: gh, option: (r) => rankedBarOption('Stars gained', 'stars', r.rows, 'repo_name', 'stars') },
  { name: 'amplitude_daily_events', host: 'amplitude', title: 'Daily events', note: 'by event type, platform or country', control: bySelect, params: amp, option: (r) => timeSeriesOption('Events per day', 'events', r.rows, 'day', 'series', 'events', { stack: true }) },
  { name: 'amplitude_dau', host: 'amplitude', title: 'Daily active users', note: 'users (devices when anonymous)', params: amp, option: (r) => timeSeriesOption('Active per day', 'count', dauLong(r.rows), 'day', 'measure', 'value') },
];

/** Repo ids are the key: a name shared by two ids gets the id appended so the two lines stay apart. */
function labelRepos(rows: Row[]): Row[] {
  const ids = new Map<string, Set<unknown>>();
  for (const r of rows) (ids.get(String(r.repo_name)) ?? ids.set(String(r.repo_name), new Set()).get(String(r.repo_name))!).add(r.repo_id);
  return rows.map((r) => ({ ...r, repo: ids.get(String(r.repo_name))!.size > 1 ? `${r.repo_name} #${r.repo_id}` : r.repo_name }));
}

function dauLong(rows: Row[]): Row[] {
  return rows.flatMap((r) => [
    { day: r.day, measure: 'active users', value: r.active_users },
    { day: r.day, measure: 'active devices', value: r.active_devices },
  ]);
}

// Exposed for the end-to-end test (reads what the charts show) and for people poking at the page.
const charts: Record<string, Chart> = {};
const data: Record<string, PanelResult> = {};
(window as unknown as { __dashboard: unknown }).__dashboard = { charts, data, state };

function card(id: string, title: string, note: string, control?: HTMLElement, withChart = true): HTMLElement {
  const el = document.createElement('article');
  el.className = 'card';
  el.id = `panel-${id}`;
  el.dataset.state = 'loading';
  el.innerHTML = `<header><div><h3></h3><small></small></div><div class="tools"></div></header><p class="error" hidden></p><div class="body">${withChart ? '<div class="chart"></div>' : ''}<div class="table"></div></div><footer class="muted"></footer>`;
  el.querySelector('h3')!.textContent = title;
  el.querySelector('small')!.textContent = note;
  if (control) el.querySelector('.tools')!.appendChild(control);
  return el;
}

function csvButton(name: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'csv';
  b.textContent = 'CSV';
  b.title = 'download the rows of this panel as CSV';
  b.addEventListener('click', () => {
    const r = data[name];
    if (r) downloadCsv(`${name}_${state.from}_${state.to}`, r.columns, r.rows);
  });
  return b;
}

function buildLayout(): void {
  for (const host of ['github', 'amplitude', 'health'] as const) $(host).replaceChildren();
  for (const p of PANELS) {
    const el = card(p.name, p.title, p.note, p.control?.());
    el.querySelector('.tools')!.appendChild(csvButton(p.name));
    $(p.host).appendChild(el);
    charts[p.name] = mountChart(el.querySelector('.chart') as HTMLElement);
  }
  const runs = card('runs', 'Pipeline runs', 'last run per pipeline, status and duration');
  charts.runs = mountChart(runs.querySelector('.chart') as HTMLElement);
  $('health').appendChild(runs);
  $('health').appendChild(card('freshness', 'Freshness and quarantine', 'newest completed extract window per source; rejected records', undefined, false));
  $('health').appendChild(card('alerts', 'Alerts and anomalies', 'alerts sent (deduplicated) and days flagged by the anomaly check', undefined, false));
}

function setError(el: HTMLElement, e: unknown): void {
  const denied = e instanceof ApiError && e.status === 403;
  el.dataset.state = denied ? 'denied' : 'error';
  const p = el.querySelector('.error') as HTMLElement;
  p.hidden = false;
  p.textContent = denied ? `Not available to you: ${(e as Error).message}` : `Could not load: ${(e as Error).message}`;
  if (e instanceof ApiError && e.status === 401) signOut('Your token was refused: sign in again.');
}

let generation = 0;

async function loadPanel(p: PanelSpec): Promise<void> {
  const el = $(`panel-${p.name}`);
  const gen = generation;
  el.dataset.state = 'loading';
  try {
    const r = await api.panel(p.name, p.params());
    if (gen !== generation) return;
    data[p.name] = r;
    (el.querySelector('.error') as HTMLElement).hidden = true;
    charts[p.name]!.setOption(p.option(r), { notMerge: true });
    renderTable(el.querySelector('.table') as HTMLElement, r.columns, r.rows);
    el.querySelector('footer')!.textContent = `${r.rows.length} rows${r.truncated ? ' (truncated)' : ''} · ${r.ms} ms`;
    el.dataset.rows = String(r.rows.length);
    el.dataset.state = r.rows.length ? 'ready' : 'empty';
  } catch (e) {
    if (gen === generation) setError(el, e);
  }
}

const fmtLag = (s?: number) => (s === undefined ? 'never' : s < 3600 ? `${Math.round(s / 60)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(1)} d`);

function renderHealth(h: Health): void {
  const runs = $('panel-runs');
  charts.runs!.setOption(runsOption(h.runs), { notMerge: true });
  renderTable(
    runs.querySelector('.table') as HTMLElement,
    ['pipeline', 'window', 'status', 'duration_s', 'started', 'recent', 'error'],
    h.pipelines.map((p) => ({ pipeline: p.pipeline, window: p.window, status: p.status, duration_s: p.durationMs === undefined ? null : Math.round(p.durationMs / 100) / 10, started: p.startedAt.replace('T', ' ').slice(0, 19), recent: p.recent.map((s) => (s === 'succeeded' ? '●' : s === 'failed' ? '✕' : '○')).join(''), error: p.failedStep ? `${p.failedStep}: ${p.error ?? ''}` : null })),
    500,
    'no pipeline runs recorded yet (eventlake run <pipeline> --window …, or the scheduler of eventlake serve)',
  );
  for (const td of runs.querySelectorAll<HTMLElement>('td[data-col="status"]')) td.classList.add(`status-${td.textContent}`);
  runs.dataset.state = 'ready';
  runs.dataset.rows = String(h.pipelines.length);

  const fq = $('panel-freshness');
  const t = fq.querySelector('.table') as HTMLElement;
  renderTable(t, ['source', 'newest_window', 'lag', 'stale'], h.freshness.map((f) => ({ source: f.source, newest_window: f.newestWindow ?? null, lag: fmtLag(f.lagSeconds), stale: f.stale ? 'STALE' : 'ok' })), 500, 'no extract checkpoints yet');
  const q = document.createElement('div');
  renderTable(q, ['source', 'records', 'files', 'latest_dt', 'reasons'], h.quarantine.map((x) => ({ source: x.source, records: x.records ?? null, files: x.files, latest_dt: x.latestDt ?? null, reasons: Object.entries(x.reasons).map(([k, v]) => `${k} (${v})`).join('; ') })), 500, 'nothing quarantined');
  q.id = 'quarantine-table';
  t.appendChild(q);
  fq.dataset.state = 'ready';

  const al = $('panel-alerts');
  const at = al.querySelector('.table') as HTMLElement;
  renderTable(at, ['sent', 'kind', 'subject'], h.alerts.map((a) => ({ sent: a.sentAt.replace('T', ' ').slice(0, 16), kind: a.kind, subject: a.subject })), 500, 'no alerts sent');
  const an = document.createElement('div');
  an.id = 'anomaly-table';
  renderTable(an, ['source', 'day', 'series', 'flag', 'count', 'median'], h.anomalies.flatMap((r) => r.flagged.map((f) => ({ source: r.source, day: f.dt, series: f.series, flag: f.direction, count: f.count, median: f.median }))), 500, 'no anomaly flagged (eventlake anomalies --source <s> writes the report)');
  at.appendChild(an);
  al.dataset.state = 'ready';
}

async function loadHealth(): Promise<void> {
  try {
    renderHealth(await api.health());
  } catch (e) {
    for (const id of ['runs', 'freshness', 'alerts']) setError($(`panel-${id}`), e);
  }
}

function readFilters(): void {
  state.from = $<HTMLInputElement>('from').value;
  state.to = $<HTMLInputElement>('to').value;
  state.repos = [...$<HTMLSelectElement>('repos').selectedOptions].map((o) => o.value);
  const n = Number($<HTMLInputElement>('limit').value);
  state.limit = Number.isInteger(n) && n >= 1 && n <= 100 ? n : 10;
}

async function loadRepos(): Promise<void> {
  const sel = $<HTMLSelectElement>('repos');
  const range = `${state.from}..${state.to}`;
  try {
    const r = await api.panel('github_repos', { from: state.from, to: state.to });
    // Keep what is picked (also a pick made while the list was loading).
    const picked = new Set([...state.repos, ...[...sel.selectedOptions].map((o) => o.value)]);
    sel.replaceChildren(...r.rows.map((x) => new Option(`${x.repo_name} (${x.events})`, String(x.repo_name), false, picked.has(String(x.repo_name)))));
  } catch {
    sel.replaceChildren();
  }
  sel.dataset.range = range;
}

async function refresh(): Promise<void> {
  generation++;
  readFilters();
  document.body.dataset.loading = 'true';
  await Promise.all([...PANELS.map(loadPanel), loadHealth()]);
  document.body.dataset.loading = 'false';
}

/** Default range: the days that have data (GitHub and/or Amplitude), at most the last 31 (same rule the server pre-warms). */
async function setDefaultRange(): Promise<void> {
  const bounds: Bounds[] = [];
  for (const name of ['github_bounds', 'amplitude_bounds']) {
    try {
      const r = await api.panel(name, {});
      if (r.rows[0]) bounds.push(r.rows[0]);
    } catch {
      /* domain not visible to this principal */
    }
  }
  const { from, to } = defaultRange(bounds);
  $<HTMLInputElement>('from').value = from;
  $<HTMLInputElement>('to').value = to;
}

function signOut(message = ''): void {
  session.token = null;
  generation++;
  for (const c of Object.values(charts)) c.dispose();
  for (const k of Object.keys(charts)) delete charts[k];
  for (const k of Object.keys(data)) delete data[k];
  $('app').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
  $('message').textContent = message;
  document.body.dataset.principal = '';
}

async function signIn(token: string): Promise<void> {
  session.token = token;
  try {
    const me = await api.me();
    $('principal').textContent = me.principal;
    $('scope').textContent = me.admin ? '(admin: all data)' : me.owner ? `(owner of ${me.owner}/*)` : '';
    document.body.dataset.principal = me.principal;
  } catch (e) {
    signOut(e instanceof ApiError && e.status === 401 ? 'That token is not valid for any principal.' : `Sign-in failed: ${(e as Error).message}`);
    return;
  }
  $('message').textContent = '';
  $('signin').hidden = true;
  $('who').hidden = false;
  $('app').hidden = false;
  state.repos = [];
  buildLayout();
  await setDefaultRange();
  readFilters();
  await loadRepos();
  await refresh();
}

$('signin').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const t = $<HTMLInputElement>('token').value.trim();
  $<HTMLInputElement>('token').value = '';
  if (t) void signIn(t);
});
$('signout').addEventListener('click', () => signOut('Signed out.'));
$('apply').addEventListener('click', () => void refresh());
$('clear-repos').addEventListener('click', () => {
  for (const o of $<HTMLSelectElement>('repos').options) o.selected = false;
  void refresh();
});
for (const id of ['from', 'to']) $(id).addEventListener('change', () => {
  readFilters();
  void loadRepos();
});

if (session.token) void signIn(session.token);
else $('message').textContent = 'Sign in with the API token of your principal (operate.governance.principals[].token).';
