// The dashboard of `eventlake serve`: the page built from web/ (served locally, no CDN) at /dashboard/, and the JSON
// it reads, under /dashboard/api/. Signing in = giving a principal's bearer token (the same tokens as the query API);
// every gold panel is one governed SELECT (src/serve/dashboard/panels.ts) run through Governance, so the signed-in
// principal's row filters, masks and table grants apply and every panel query lands in the audit trail.
//   GET /dashboard/                       the page (built on first start when web/dist is missing or stale)
//   GET /dashboard/api/me                 {principal, panels: {name: available}}
//   GET /dashboard/api/panels             the panel catalogue
//   GET /dashboard/api/panels/:name?from=YYYY-MM-DD&to=…&repos=a/b,c/d&limit=10&by=event_type
//                                         {panel, columns, rows, truncated, ms}
//   GET /dashboard/api/health             last run per pipeline, freshness, quarantine counts, alerts, anomalies
// GitHub panels read the gold domain "github", Amplitude panels the domain "amplitude" (aggregated/<domain>/<table>/);
// a principal whose policies grant no table of a domain gets a 403 for its panels, which the page shows as such.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../cli/context.ts';
import type { ServeContext, ServePlugin } from '../plugin.ts';
import { EventlakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';
import { AuditLog } from '../../audit/audit-log.ts';
import { Governance, PolicyViolation, TokenIndex, type QueryResult } from '../../governance/index.ts';
import { getPanel, parsePanelParams, PANELS, type Domain } from '../dashboard/panels.ts';
import { healthReport } from '../dashboard/health.ts';
import { GoldTableList, rollupsFor } from '../dashboard/rollups.ts';
import { PanelCache } from '../dashboard/cache.ts';
import { defaultRange, DEFAULT_BREAKDOWN, DEFAULT_LIMIT, type Bounds } from '../dashboard/default-range.ts';
import { ensureWebBuilt, readAsset } from '../dashboard/web-assets.ts';

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

/** The same context with the governed gold domain switched (Governance reads operate.governance.domain). */
function withDomain(ctx: Context, domain: Domain): Context {
  const c = ctx.loaded.config;
  return { ...ctx, loaded: { ...ctx.loaded, config: { ...c, operate: { ...c.operate, governance: { ...c.operate.governance, domain } } } } };
}

export interface DashboardPluginOptions {
  /** Folder of the built page (default web/dist, built when missing or stale). */
  distDir?: string;
  /** Skip building (serve distDir as it is). */
  build?: boolean;
  /** Cache panel results per principal/parameters until gold changes (default true). */
  cache?: boolean;
  /** How long a listing of gold (file digest for the cache, table set for the views) is trusted, ms (default 5000). */
  goldRelistMs?: number;
  /**
   * Pre-compute the panels each principal with a token sees first (default range and filters) at start and whenever
   * gold changes (checked every this many ms; 0 = never pre-warm). Default 60000. Needs the cache.
   */
  prewarmEveryMs?: number;
}

export function createDashboardPlugin(o: DashboardPluginOptions = {}): ServePlugin {
  const govs = new Map<Domain, Governance>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let warming: Promise<void> | undefined;
  return {
    name: 'dashboard',
    async register(app: FastifyInstance, ctx: ServeContext) {
      const log = ctx.log.child({ plugin: 'dashboard' });
      // The page builds in the background (a fresh clone has no web/dist yet): the API answers at once, the page
      // routes wait for the build. Fastify's plugin start timeout is far shorter than a cold Vite build.
      const site: Promise<string> = o.build === false && o.distDir ? Promise.resolve(o.distDir) : ensureWebBuilt({ distDir: o.distDir });
      site.then(
        (dir) => log.info({ distDir: dir }, 'dashboard page ready at /dashboard/'),
        (err: unknown) => log.error({ err }, 'dashboard page build failed: the API still works, the page does not'),
      );
      const tokens = await TokenIndex.load(ctx.loaded.config.operate.governance);
      const audit = new AuditLog(ctx.storage, ctx.layout);
      for (const d of ['github', 'amplitude'] as const) govs.set(d, new Governance(withDomain(ctx, d), { audit }));
      const goldLists = new Map<Domain, GoldTableList>((['github', 'amplitude'] as const).map((d) => [d, new GoldTableList(ctx, d, o.goldRelistMs ?? 5_000)]));
      const seenTables = new Map<Domain, string>();
      /** Gold tables of a domain; a table that appeared or went away since the last look re-opens the governed views. */
      const tablesOf = async (d: Domain): Promise<Set<string>> => {
        const t = await goldLists.get(d)!.get();
        const sig = [...t].sort().join(',');
        const before = seenTables.get(d);
        seenTables.set(d, sig);
        if (before !== undefined && before !== sig) {
          log.info({ domain: d, tables: sig }, 'gold tables changed: re-opening governed views');
          await govs.get(d)!.refresh();
        }
        return t;
      };
      const maxLagHours = typeof ctx.options.maxLagHours === 'number' ? ctx.options.maxLagHours : undefined;

      const authenticate = async (req: FastifyRequest, reply: FastifyReply): Promise<string | undefined> => {
        const principal = tokens.principalFor(bearer(req));
        if (!principal) {
          await audit.append({ actor: 'anonymous', action: 'query.refused', outcome: 'refused', detail: { reason: bearer(req) ? 'unknown token' : 'no bearer token', path: req.url, via: 'dashboard' } });
          await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized: sign in with your API token' });
          return undefined;
        }
        return principal;
      };

      const cache = o.cache === false ? undefined : new PanelCache<QueryResult>(ctx, { stampTtlMs: o.goldRelistMs });
      const runPanel = async (principal: string, name: string, query: Record<string, unknown>, via = 'dashboard') => {
        const panel = getPanel(name);
        const params = parsePanelParams(query);
        const t0 = performance.now();
        const tables = await tablesOf(panel.domain);
        const rollups = panel.domain === 'github' ? rollupsFor(ctx, principal, tables) : undefined;
        const sql = panel.sql(params, rollups);
        const named = `dashboard:${name}`;
        const key = cache && `${panel.domain}\u0000${await cache.stamp(panel.domain)}\u0000${principal}\u0000${sql}`;
        let r = key ? cache.get(key) : undefined;
        const cached = r !== undefined;
        if (r) {
          // Served from memory, still audited: who saw what is recorded like a query.
          await audit.append({ actor: principal, action: 'query', target: r.tables.join(','), outcome: 'ok', detail: { sql: sql.slice(0, 2000), via, named, rows: r.rows.length, cached: true } });
        } else {
          r = await govs.get(panel.domain)!.query(principal, sql, { via, named });
          if (key) cache.set(key, r);
        }
        return { panel: name, domain: panel.domain, columns: r.columns, rows: r.rows, truncated: r.truncated, cached, ms: Math.round((performance.now() - t0) * 10) / 10 };
      };

      // Pre-warming: what the page asks first for each principal, computed before anyone signs in (audited as
      // via "dashboard-prewarm"). The first view of a day's gold then costs a cache lookup, not a scan.
      const prewarmOnce = async () => {
        const principals = ctx.loaded.config.operate.governance.principals.filter((p) => p.token).map((p) => p.name);
        for (const principal of principals) {
          const run = (name: string, q: Record<string, unknown>) => (closed ? Promise.reject(new Error('closed')) : runPanel(principal, name, q, 'dashboard-prewarm'));
          const bounds: Bounds[] = [];
          for (const b of ['github_bounds', 'amplitude_bounds']) {
            const r = await run(b, {}).catch(() => undefined);
            if (r?.rows[0]) bounds.push(r.rows[0] as Bounds);
          }
          const { from, to } = defaultRange(bounds);
          const gh = { from, to, limit: String(DEFAULT_LIMIT) };
          for (const [name, q] of [
            ['github_repos', { from, to }],
            ['events_by_repo', gh],
            ['event_type_trends', gh],
            ['most_active_users', gh],
            ['top_repos_by_stars', gh],
            ['amplitude_daily_events', { from, to, by: DEFAULT_BREAKDOWN }],
            ['amplitude_dau', { from, to }],
          ] as const) {
            await run(name, q).catch(() => undefined); // not visible to this principal, or no gold yet
          }
        }
      };
      let lastStamps = '';
      const prewarm = async () => {
        if (!cache || closed || warming) return;
        const stamps = (await Promise.all((['github', 'amplitude'] as const).map((d) => cache.stamp(d).catch(() => '')))).join('/');
        if (stamps === lastStamps) return;
        lastStamps = stamps;
        warming = prewarmOnce()
          .catch((err: unknown) => log.warn({ err }, 'dashboard pre-warming failed'))
          .finally(() => (warming = undefined));
        await warming;
      };
      const every = o.prewarmEveryMs ?? 60_000;
      if (cache && every > 0) {
        void prewarm();
        timer = setInterval(() => void prewarm(), every);
        timer.unref();
      }

      app.get('/dashboard', async (_req, reply) => reply.redirect('/dashboard/'));

      app.get('/dashboard/api/panels', async () => ({ panels: PANELS.map((p) => ({ name: p.name, domain: p.domain, title: p.title, description: p.description })) }));

      app.get('/dashboard/api/me', async (req, reply) => {
        const principal = await authenticate(req, reply);
        if (!principal) return reply;
        const p = ctx.loaded.config.operate.governance.principals.find((x) => x.name === principal);
        return { principal, owner: p?.owner ?? null, admin: p?.admin ?? false };
      });

      app.get<{ Params: { name: string }; Querystring: Record<string, unknown> }>('/dashboard/api/panels/:name', async (req, reply) => {
        const principal = await authenticate(req, reply);
        if (!principal) return reply;
        try {
          return await runPanel(principal, req.params.name, req.query);
        } catch (e) {
          const status = e instanceof PolicyViolation ? 403 : e instanceof EventlakeError && e.code === 'NOT_FOUND' ? 404 : e instanceof EventlakeError ? 400 : 500;
          const message = redact(e instanceof Error ? e.message : String(e));
          log.info({ principal, panel: req.params.name, status, err: message }, 'dashboard panel failed');
          return reply.code(status).send({ error: message, code: e instanceof EventlakeError ? e.code : undefined });
        }
      });

      app.get('/dashboard/api/health', async (req, reply) => {
        if (!(await authenticate(req, reply))) return reply;
        return healthReport(ctx, { maxLagHours });
      });

      app.get('/dashboard/*', async (req, reply) => {
        const rel = req.url.slice('/dashboard/'.length);
        if (rel.startsWith('api/')) return reply.code(404).send({ error: `no dashboard API route ${req.url}` });
        let distDir: string;
        try {
          distDir = await site;
        } catch (e) {
          return reply.code(503).type('text/plain').send(redact((e as Error).message));
        }
        const a = await readAsset(distDir, rel);
        if (!a) return reply.code(404).type('text/plain').send('not found');
        reply.header('cache-control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        reply.header('x-content-type-options', 'nosniff');
        if (a.type.startsWith('text/html')) {
          // Everything the page loads is served from here: no CDN, no inline script from elsewhere.
          reply.header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'");
        }
        return reply.type(a.type).send(a.body);
      });
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await warming;
      for (const g of govs.values()) await g.close();
      govs.clear();
    },
  };
}

export const plugin = createDashboardPlugin();
