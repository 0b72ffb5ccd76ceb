-- The cleaned `events` table of one dt, step 2 (streaming): valid parsed rows minus the dedup losers found by
-- losers.sql (the first occurrence of an id by file order, then line, wins). Only the losers table is held in memory
-- (one small entry per duplicate); the wide rows stream from the parsed Parquet into the writer. (A single statement
-- whose CTE of valid rows was referenced twice made DuckDB materialize every wide row of the dt.)
-- Placeholders: {{parsed}} (Parquet glob literal), {{files}} (VALUES list of (file_idx, file name)), {{losers}}
-- (table of (file_idx, line)), {{out}}, {{parquet_options}}.
COPY (
  WITH files(file_idx, source_file) AS (VALUES {{files}})
  SELECT
    CAST(g.id AS VARCHAR) AS id,
    CAST(g.id_synthetic AS BOOLEAN) AS id_synthetic,
    CAST(g.source_format AS VARCHAR) AS source_format,
    CAST(g.type AS VARCHAR) AS type,
    CAST(g.actor_id AS BIGINT) AS actor_id,
    CAST(g.actor_login AS VARCHAR) AS actor_login,
    CAST(g.repo_id AS BIGINT) AS repo_id,
    CAST(g.repo_name AS VARCHAR) AS repo_name,
    CAST(g.org_id AS BIGINT) AS org_id,
    CAST(g.org_login AS VARCHAR) AS org_login,
    CAST(g.created_at AS TIMESTAMP) AS created_at,
    CAST(g.public AS BOOLEAN) AS public,
    CAST(g.payload AS JSON) AS payload,
    CAST(g.payload_era AS VARCHAR) AS payload_era,
    CAST(g.action AS VARCHAR) AS action,
    CAST(g.ref AS VARCHAR) AS ref,
    CAST(g.ref_type AS VARCHAR) AS ref_type,
    CAST(g.number AS BIGINT) AS number,
    CAST(g.push_size AS BIGINT) AS push_size,
    CAST(g.push_distinct_size AS BIGINT) AS push_distinct_size,
    CAST(g.release_tag AS VARCHAR) AS release_tag,
    CAST(g.review_state AS VARCHAR) AS review_state,
    CAST(g.is_star AS BOOLEAN) AS is_star,
    CAST(g.repo_stargazers AS BIGINT) AS repo_stargazers,
    CAST(f.source_file AS VARCHAR) AS source_file,
    CAST(g.line AS BIGINT) AS source_line
  FROM read_parquet({{parsed}}) g
  JOIN files f ON f.file_idx = g.file_idx
  ANTI JOIN {{losers}} l ON l.file_idx = g.file_idx AND l.line = g.line
  WHERE g.reason IS NULL
) TO {{out}} ({{parquet_options}});
