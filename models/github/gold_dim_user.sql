-- dim_user: one row per user key. is_bot: GitHub App accounts end in "[bot]"; also the common "-bot"/"bot" account
-- naming (e.g. "renovate-bot", "k8s-ci-robot" is not matched on purpose: only a whole trailing "bot" word counts).
-- {{user_daily}} is every user_daily partition.
SELECT CAST(user_id AS BIGINT) AS user_id, CAST(login AS VARCHAR) AS login, first_seen, last_seen,
       {{regexp_like}}(lower(login), '(\[bot\]$)|([-_.]bot$)') AS is_bot
FROM (
  SELECT user_id, max_by(login, ROW(last_seen, login)) AS login, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM {{user_daily}}
  GROUP BY user_id
) AS u
ORDER BY user_id
