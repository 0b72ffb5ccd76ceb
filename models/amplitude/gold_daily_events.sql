-- Gold: events per UTC event day × event_type × platform × country. Reads every cleaned partition (an event day is
-- spread over several arrival dts) and counts distinct uuids, so a duplicate that arrived in two dts counts once.
SELECT
  CAST(event_time AS DATE)             AS event_date,
  event_type,
  coalesce(platform, 'unknown')                         AS platform,
  coalesce(country, 'unknown')                          AS country,
  count(DISTINCT uuid)                                  AS event_count,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS user_count,
  CAST(event_time AS DATE)::VARCHAR    AS dt
FROM read_parquet({{cleaned}})
WHERE event_time >= {{lo}} AND event_time < {{hi}}
  AND CAST(event_time AS DATE)::VARCHAR IN ({{dates}})
GROUP BY ALL
