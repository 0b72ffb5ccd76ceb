-- Gold: daily active users per UTC event day, computed from all cleaned partitions touching that day so a user seen
-- in several arrival dts is counted once. A user is user_id, or the device when the user is anonymous.
SELECT
  CAST(event_time AS DATE)                 AS event_date,
  count(DISTINCT coalesce(user_id, 'device:' || device_id)) AS active_users,
  count(DISTINCT device_id)                                 AS active_devices,
  count(DISTINCT uuid)                                      AS event_count,
  CAST(event_time AS DATE)::VARCHAR        AS dt
FROM read_parquet({{cleaned}})
WHERE event_time >= {{lo}} AND event_time < {{hi}}
  AND CAST(event_time AS DATE)::VARCHAR IN ({{dates}})
GROUP BY ALL
