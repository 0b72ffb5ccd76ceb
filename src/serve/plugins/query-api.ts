// Governed query API for `eventlake serve`. Every request authenticates with `Authorization: Bearer <token>`
// (tokens per principal from env/.env or Secrets Manager: operate.governance.principals[].token); every query,
// allowed or refused, is written to the audit trail.
//   POST /api/query            {"sql": "SELECT …"}     -> {columns, rows, truncated, tables}
//   GET  /api/queries                                   -> named queries
//   GET  /api/queries/:name                             -> result of a named query
//   GET  /api/runs?pipeline=&limit=                     -> pipeline run history (newest first)
//   GET  /api/anomalies/:source                         -> latest anomaly report (for the dashboard)
// 401: no/unknown token. 403: policy refusal (non-SELECT, unknown table, table function…). 400: bad SQL/engine error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServeContext, ServePlugin } from '../plugin.ts';
import { EventlakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';
import { Governance, PolicyViolation, TokenIndex, type QueryResult } from '../../governance/index.ts';
import { RunHistory } from '../../pipeline/history.ts';
import { getJson } from '../../core/storage.ts';

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

function body(r: QueryResult) {
  return { principal: r.principal, columns: r.columns, rows: r.rows, truncated: r.truncated, tables: r.tables };
}

export function createQueryApiPlugin(): ServePlugin {
  let gov: Governance | undefined;
  return {
    name: 'query-api',
    async register(app: FastifyInstance, ctx: ServeContext) {
      const cfg = ctx.loaded.config.operate.governance;
      const tokens = await TokenIndex.load(cfg);
      gov = new Governance(ctx);
      const g = gov;
      const log = ctx.log.child({ plugin: 'query-api' });
      if (!tokens.size) log.warn('no principal has an API token configured: every query API request will be refused');

      const authenticate = async (req: FastifyRequest, reply: FastifyReply): Promise<string | undefined> => {
        const principal = tokens.principalFor(bearer(req));
        if (!principal) {
          await g.audit.append({ actor: 'anonymous', action: 'query.refused', outcome: 'refused', detail: { reason: bearer(req) ? 'unknown token' : 'no bearer token', path: req.url } });
          log.warn({ path: req.url, reason: bearer(req) ? 'unknown token' : 'no bearer token' }, 'query API request refused');
          await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized: send Authorization: Bearer <token>' });
          return undefined;
        }
        return principal;
      };

      const fail = (reply: FastifyReply, principal: string, e: unknown) => {
        const status = e instanceof PolicyViolation ? 403 : e instanceof EventlakeError && e.code === 'NOT_FOUND' ? 404 : e instanceof EventlakeError ? 400 : 500;
        const message = redact(e instanceof Error ? e.message : String(e));
        log.info({ principal, status, err: message }, 'governed query failed');
        return reply.code(status).send({ error: message, code: e instanceof EventlakeError ? e.code : undefined });
      };

      app.post('/api/query', async (req, reply) => {
        const principal = await authenticate(req, reply);
        if (!principal) return reply;
        const sql = (req.body as { sql?: unknown } | undefined)?.sql;
        if (typeof sql !== 'string' || !sql.trim()) return reply.code(400).send({ error: 'body must be JSON {"sql": "SELECT …"}' });
        try {
          const r = await g.query(principal, sql, { via: 'api' });
          log.info({ principal, tables: r.tables, rows: r.rows.length, sql: redact(sql.slice(0, 500)) }, 'governed query');
          return body(r);
        } catch (e) {
          return fail(reply, principal, e);
        }
      });

      app.get('/api/queries', async (req, reply) => {
        if (!(await authenticate(req, reply))) return reply;
        return { queries: Object.entries(cfg.namedQueries).map(([name, sql]) => ({ name, sql })) };
      });

      app.get<{ Params: { name: string } }>('/api/queries/:name', async (req, reply) => {
        const principal = await authenticate(req, reply);
        if (!principal) return reply;
        try {
          const r = await g.named(principal, req.params.name);
          log.info({ principal, named: req.params.name, rows: r.rows.length }, 'governed named query');
          return body(r);
        } catch (e) {
          return fail(reply, principal, e);
        }
      });

      app.get<{ Querystring: { pipeline?: string; limit?: string } }>('/api/runs', async (req, reply) => {
        if (!(await authenticate(req, reply))) return reply;
        const limit = Math.min(500, Math.max(1, Number.parseInt(req.query.limit ?? '50', 10) || 50));
        return { runs: await new RunHistory(ctx.storage, ctx.layout).list({ pipeline: req.query.pipeline, limit }) };
      });

      app.get<{ Params: { source: string } }>('/api/anomalies/:source', async (req, reply) => {
        if (!(await authenticate(req, reply))) return reply;
        if (!/^[a-z0-9_-]+$/i.test(req.params.source)) return reply.code(400).send({ error: 'bad source name' });
        const r = await getJson(ctx.storage, ctx.layout.metaKey('state', 'anomalies', `${req.params.source}.json`));
        return r ?? reply.code(404).send({ error: `no anomaly report for ${req.params.source} yet (run: eventlake anomalies --source ${req.params.source})` });
      });
    },
    async close() {
      await gov?.close();
    },
  };
}

export const plugin = createQueryApiPlugin();
