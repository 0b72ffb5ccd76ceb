// A small gold star schema written with DuckDB, same table names and columns as the real GitHub gold:
// alice owns repos 1 and 2, bob owns repo 3, carol owns repo 4. dim_user carries an email column (PII).
import { mkdir } from 'node:fs/promises';
import type { Context } from '../../src/cli/context.ts';
import { DuckDbEngine, sqlString } from '../../src/engines/duckdb/duckdb-engine.ts';

export const governanceConfig = {
  domain: 'github',
  principals: [
    { name: 'alice', owner: 'alice', policies: ['repo-owner'], token: { env: 'TEST_TOKEN_ALICE' } },
    { name: 'bob', owner: 'bob', policies: ['repo-owner'], token: { env: 'TEST_TOKEN_BOB' } },
    { name: 'analyst', policies: ['analyst'] },
    { name: 'admin', admin: true, token: { env: 'TEST_TOKEN_ADMIN' } },
  ],
  policies: {
    'repo-owner': {
      fact_events: { rowFilter: { kind: 'owner-repos', column: 'repo_id' } },
      dim_repo: { rowFilter: { kind: 'owner-repos', column: 'repo_id' } },
      dim_user: { rowFilter: { kind: 'owner-users', column: 'user_id' }, masks: { email: 'null' } },
      dim_date: {},
    },
    analyst: {
      fact_events: {},
      dim_user: { masks: { login: 'hash' }, deny: ['email'] },
    },
  },
  namedQueries: {
    'events-by-repo': 'SELECT r.repo_name, sum(f.event_count) AS events FROM fact_events f JOIN dim_repo r ON r.repo_id = f.repo_id GROUP BY r.repo_name ORDER BY events DESC',
  },
};

export async function writeGold(app: Context): Promise<void> {
  const dir = (t: string) => app.storage.localPath(`aggregated/github/${t}`)!;
  const e = await DuckDbEngine.open();
  try {
    for (const t of ['dim_repo', 'dim_user', 'dim_date', 'fact_events']) await mkdir(dir(t), { recursive: true });
    await e.run(`COPY (SELECT * FROM (VALUES
        (1, 'alice/app', 'alice', TIMESTAMP '2026-01-01', TIMESTAMP '2026-11-01'),
        (2, 'alice/lib', 'alice', TIMESTAMP '2026-01-01', TIMESTAMP '2026-11-01'),
        (3, 'bob/tool', 'bob', TIMESTAMP '2026-01-01', TIMESTAMP '2026-11-01'),
        (4, 'carol/site', 'carol', TIMESTAMP '2026-01-01', TIMESTAMP '2026-11-01'))
        t(repo_id, repo_name, owner_login, first_seen, last_seen)) TO ${sqlString(dir('dim_repo') + '/part-0.parquet')} (FORMAT parquet)`);
    await e.run(`COPY (SELECT * FROM (VALUES
        (10, 'u-alice', 'alice@example.com', FALSE), (11, 'u-bob', 'bob@example.com', FALSE),
        (12, 'u-carol', 'carol@example.com', FALSE), (13, 'dependabot[bot]', NULL, TRUE))
        t(user_id, login, email, is_bot)) TO ${sqlString(dir('dim_user') + '/part-0.parquet')} (FORMAT parquet)`);
    await e.run(`COPY (SELECT CAST(strftime(d, '%Y%m%d') AS INTEGER) AS date_key, CAST(d AS DATE) AS date FROM range(DATE '2026-11-01', DATE '2026-11-04', INTERVAL 1 DAY) t(d))
        TO ${sqlString(dir('dim_date') + '/part-0.parquet')} (FORMAT parquet)`);
    // user 10 acts on alice's repos, 11 on bob's, 12 on carol's, the bot on repos 1 and 3.
    await e.run(`COPY (SELECT * FROM (VALUES
        (DATE '2026-11-01', 1, 10, 'PushEvent', 5), (DATE '2026-11-01', 2, 10, 'WatchEvent', 2),
        (DATE '2026-11-02', 3, 11, 'PushEvent', 7), (DATE '2026-11-02', 4, 12, 'IssuesEvent', 1),
        (DATE '2026-11-03', 1, 13, 'PullRequestEvent', 3), (DATE '2026-11-03', 3, 13, 'PullRequestEvent', 4))
        t(dt, repo_id, user_id, event_type, event_count)) TO ${sqlString(dir('fact_events'))} (FORMAT parquet, PARTITION_BY (dt))`);
  } finally {
    await e.close();
  }
}
