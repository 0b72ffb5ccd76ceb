-- dim_user: one row per user key. is_bot: GitHub App accounts end in "[bot]"; also the common "-bot"/"bot" account
-- naming (e.g. "renovate-bot", "k8s-ci-robot" is not matched on purpose: only a whole trailing "bot" word counts).
COPY (
  SELECT CAST(user_id AS BIGINT) AS user_id, CAST(login AS VARCHAR) AS login, first_seen, last_seen,
         regexp_matches(lower(login), '(\[bot\]$)|([-_.]bot$)') AS is_bot
  FROM (
    SELECT user_id, arg_max(login, (last_seen, login)) AS login, min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM read_parquet({{user_daily}})
    GROUP BY user_id
  )
  ORDER BY user_id
) TO {{out}} (FORMAT PARQUET, COMPRESSION {{codec}});
