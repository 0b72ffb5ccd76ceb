-- Parses one staged file of numbered lines (`<file_idx>\x01<line>\x01<json>`, written by src/models/github/lines.ts)
-- into typed columns for both GitHub eras, plus a `reason` for rows that must go to quarantine.
-- Placeholders: {{staged}} (path literal), {{out}} (Parquet path literal), {{last_unterminated}} (line number of an
-- unterminated last line or 0), {{trimmed_since}} (timestamp literal: Events API payload trimming cutover),
-- {{parquet_options}} (FORMAT/COMPRESSION/row-group caps: src/layers/parquet-write.ts).
COPY (
  WITH src AS (
    SELECT f AS file_idx, n AS line, raw
    FROM read_csv({{staged}}, columns = {'f': 'INTEGER', 'n': 'BIGINT', 'raw': 'VARCHAR'}, delim = chr(1), quote = '',
                  escape = '', header = false, auto_detect = false, max_line_size = 16777216, buffer_size = 33554432, new_line = '\n')
  ),
  -- One JSON parse per line (try(): NULL when the text is not JSON): top-level keys come out as small JSON documents.
  doc AS (
    SELECT file_idx, line, raw,
      try(json_transform(raw,
        '{"id":"JSON","type":"JSON","created_at":"JSON","actor":"JSON","actor_attributes":"JSON","repo":"JSON",
          "repository":"JSON","org":"JSON","public":"JSON","payload":"JSON"}')) AS d
    FROM src
  ),
  typed AS (
    SELECT file_idx, line, raw, d,
      -- Events API objects carry `repo` and an actor object; the pre-2015 timeline has `repository` and actor as a string.
      CASE WHEN d.repo IS NULL AND (d.repository IS NOT NULL OR json_type(d.actor) = 'VARCHAR') THEN 'timeline' ELSE 'events_api' END AS fmt,
      json_type(d.id) AS t_id, json_type(d.type) AS t_type, json_type(d.created_at) AS t_created,
      json_type(d.actor) AS t_actor, json_type(d.repo) AS t_repo, json_type(d.repository) AS t_repository,
      json_type(d.org) AS t_org, json_type(d.public) AS t_public, json_type(d.payload) AS t_payload,
      json_extract_string(d.created_at, '$') AS created_s,
      -- One parse of the payload for all flattened columns.
      json_extract_string(d.payload, ['$.action', '$.ref', '$.ref_type', '$.number', '$.pull_request.number', '$.issue.number',
        '$.size', '$.distinct_size', '$.release.tag_name', '$.review.state']) AS pl
    FROM doc
  ),
  fields AS (
    SELECT *,
      timezone('UTC', coalesce(try_cast(created_s AS TIMESTAMPTZ), try_strptime(created_s, '%Y/%m/%d %H:%M:%S %z'))) AS created_at,
      CASE WHEN fmt = 'events_api' THEN json_type(d.actor, '$.id') END AS t_actor_id,
      CASE WHEN fmt = 'events_api' THEN json_type(d.actor, '$.login')
           WHEN t_actor = 'VARCHAR' THEN 'VARCHAR'
           ELSE json_type(d.actor_attributes, '$.login') END AS t_actor_login,
      json_type(d.repo, '$.id') AS t_repo_id, json_type(d.repo, '$.name') AS t_repo_name,
      json_type(d.repository, '$.id') AS t_repository_id, json_type(d.repository, '$.name') AS t_repository_name,
      json_type(d.org, '$.id') AS t_org_id
    FROM typed
  ),
  checked AS (
    SELECT *,
      CASE
        WHEN d IS NULL AND line = {{last_unterminated}} THEN 'truncated last line: malformed JSON without a trailing newline'
        WHEN d IS NULL THEN 'malformed JSON'
        WHEN t_type IS NULL AND json_type(raw) <> 'OBJECT' THEN 'not a JSON object'
        WHEN t_type IS NULL THEN 'missing key: type'
        WHEN t_type <> 'VARCHAR' THEN 'wrong type: type must be a string'
        WHEN t_created IS NULL THEN 'missing key: created_at'
        WHEN t_created <> 'VARCHAR' THEN 'wrong type: created_at must be a string'
        WHEN created_at IS NULL THEN 'unparseable created_at: ' || created_s
        WHEN t_actor IS NULL THEN 'missing key: actor'
        WHEN t_public IS NOT NULL AND t_public <> 'BOOLEAN' THEN 'wrong type: public must be a boolean'
        WHEN t_payload IS NULL THEN 'missing key: payload'
        WHEN t_payload <> 'OBJECT' THEN 'wrong type: payload must be an object'
        WHEN fmt = 'events_api' AND t_id IS NULL THEN 'missing key: id'
        WHEN fmt = 'events_api' AND t_id NOT IN ('VARCHAR', 'UBIGINT', 'BIGINT') THEN 'wrong type: id must be a string'
        WHEN fmt = 'events_api' AND t_actor <> 'OBJECT' THEN 'wrong type: actor must be an object'
        WHEN fmt = 'events_api' AND t_actor_id IS NULL THEN 'missing key: actor.id'
        WHEN fmt = 'events_api' AND t_actor_id NOT IN ('UBIGINT', 'BIGINT') THEN 'wrong type: actor.id must be an integer'
        WHEN t_actor_login IS NULL THEN 'missing key: actor.login'
        WHEN t_actor_login <> 'VARCHAR' THEN 'wrong type: actor.login must be a string'
        WHEN fmt = 'events_api' AND t_repo IS NULL THEN 'missing key: repo'
        WHEN fmt = 'events_api' AND t_repo <> 'OBJECT' THEN 'wrong type: repo must be an object'
        WHEN fmt = 'events_api' AND t_repo_id IS NULL THEN 'missing key: repo.id'
        WHEN fmt = 'events_api' AND t_repo_id NOT IN ('UBIGINT', 'BIGINT') THEN 'wrong type: repo.id must be an integer'
        WHEN fmt = 'events_api' AND t_repo_name IS DISTINCT FROM 'VARCHAR' THEN 'missing key or wrong type: repo.name must be a string'
        WHEN fmt = 'timeline' AND t_repository IS NOT NULL AND t_repository <> 'OBJECT' THEN 'wrong type: repository must be an object'
        WHEN fmt = 'timeline' AND t_repository IS NOT NULL AND t_repository_id NOT IN ('UBIGINT', 'BIGINT') THEN 'wrong type: repository.id must be an integer'
        WHEN t_org IS NOT NULL AND t_org <> 'OBJECT' THEN 'wrong type: org must be an object'
        WHEN t_org IS NOT NULL AND t_org_id NOT IN ('UBIGINT', 'BIGINT') THEN 'wrong type: org.id must be an integer'
      END AS reason
    FROM fields
  )
  SELECT
    file_idx,
    line,
    reason,
    CASE WHEN reason IS NOT NULL THEN raw END AS raw,
    CASE WHEN reason IS NULL THEN
      CASE WHEN fmt = 'timeline' THEN 'tl-' || md5(raw) ELSE json_extract_string(d.id, '$') END END AS id,
    fmt = 'timeline' AS id_synthetic,
    fmt AS source_format,
    json_extract_string(d.type, '$') AS type,
    CASE WHEN fmt = 'events_api' THEN TRY_CAST(json_extract(d.actor, '$.id') AS BIGINT) END AS actor_id,
    CASE WHEN fmt = 'events_api' THEN json_extract_string(d.actor, '$.login')
         WHEN t_actor = 'VARCHAR' THEN json_extract_string(d.actor, '$')
         ELSE json_extract_string(d.actor_attributes, '$.login') END AS actor_login,
    CASE WHEN fmt = 'events_api' THEN TRY_CAST(json_extract(d.repo, '$.id') AS BIGINT)
         ELSE TRY_CAST(json_extract(d.repository, '$.id') AS BIGINT) END AS repo_id,
    CASE WHEN fmt = 'events_api' THEN json_extract_string(d.repo, '$.name')
         WHEN t_repository IS NOT NULL THEN
           coalesce(json_extract_string(d.repository, '$.owner') || '/', '') || json_extract_string(d.repository, '$.name')
    END AS repo_name,
    TRY_CAST(json_extract(d.org, '$.id') AS BIGINT) AS org_id,
    CASE WHEN fmt = 'events_api' THEN json_extract_string(d.org, '$.login')
         ELSE json_extract_string(d.repository, '$.organization') END AS org_login,
    CAST(created_at AS TIMESTAMP) AS created_at,
    TRY_CAST(json_extract(d.public, '$') AS BOOLEAN) AS public,
    CASE WHEN reason IS NULL THEN d.payload END AS payload,
    CASE WHEN fmt = 'events_api' AND created_at >= {{trimmed_since}} THEN 'trimmed' ELSE 'full' END AS payload_era,
    pl[1] AS action,
    pl[2] AS ref,
    pl[3] AS ref_type,
    TRY_CAST(coalesce(pl[4], pl[5], pl[6]) AS BIGINT) AS number,
    TRY_CAST(pl[7] AS BIGINT) AS push_size,
    TRY_CAST(pl[8] AS BIGINT) AS push_distinct_size,
    coalesce(pl[9], CASE WHEN pl[3] = 'tag' THEN pl[2] END) AS release_tag,
    pl[10] AS review_state,
    -- Stars: a WatchEvent is a star (its only action is "started"); timeline events also carry a stargazer snapshot.
    json_extract_string(d.type, '$') = 'WatchEvent' AS is_star,
    CASE WHEN fmt = 'timeline' THEN TRY_CAST(coalesce(json_extract_string(d.repository, '$.stargazers'), json_extract_string(d.repository, '$.watchers')) AS BIGINT) END AS repo_stargazers
  FROM checked
) TO {{out}} ({{parquet_options}}, COMPRESSION_LEVEL 1);
