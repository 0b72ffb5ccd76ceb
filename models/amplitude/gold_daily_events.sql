-- Gold: events per UTC event day × event_type × platform × country. Reads every cleaned partition (an event day is
-- spread over several arrival dts) and counts distinct uuids, so a duplicate that arrived in two dts counts once.
-- Portable (DuckDB and Trino/Athena, rendered by src/models/amplitude/gold.ts): {{cleaned}} is a FROM item, {{lo}} /
-- {{hi}} the dialect's UTC timestamps, {{dates}} a list of 'YYYY-MM-DD' literals; GROUP BY ordinals, not GROUP BY ALL.
SELECT
  CAST(event_time AS DATE)                                  AS event_date,
  event_type,
  coalesce(platform, 'unknown')                             AS platform,
  coalesce(country, 'unknown')                              AS country,
  count(DISTINCT uuid)                                      AS event_count,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS user_count,
  CAST(CAST(event_time AS DATE) AS VARCHAR)                 AS dt
FROM {{cleaned}}
WHERE event_time >= {{lo}} AND event_time < {{hi}}
  AND CAST(CAST(event_time AS DATE) AS VARCHAR) IN ({{dates}})
GROUP BY 1, 2, 3, 4, 7
