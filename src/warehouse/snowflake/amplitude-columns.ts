// Typed columns of the Amplitude events table, per the Export API's documented event fields. Each column says
// which JSON field it reads and how the VARIANT value becomes the column type. TRY_* functions keep one odd value
// from failing the whole INSERT (it becomes NULL; the raw VARIANT row still has it).
export interface AmplitudeColumn {
  name: string;
  field: string;
  type: string;
  /** SQL expression from the VARIANT field expression `v` (e.g. GET("RAW", 'uuid')). */
  expr: (v: string) => string;
}

const str = (name: string, field = name.toLowerCase()): AmplitudeColumn => ({ name, field, type: 'VARCHAR', expr: (v) => `${v}::VARCHAR` });
// Amplitude timestamps look like "2022-11-14 00:57:33.008000" (UTC, no zone, sometimes no fraction).
const ts = (name: string, field = name.toLowerCase()): AmplitudeColumn => ({
  name,
  field,
  type: 'TIMESTAMP_NTZ',
  expr: (v) => `TRY_TO_TIMESTAMP_NTZ(${v}::VARCHAR)`,
});
const int = (name: string, field = name.toLowerCase()): AmplitudeColumn => ({
  name,
  field,
  type: 'NUMBER(38, 0)',
  expr: (v) => `TRY_TO_NUMBER(${v}::VARCHAR)`,
});
const dbl = (name: string, field = name.toLowerCase()): AmplitudeColumn => ({ name, field, type: 'FLOAT', expr: (v) => `TRY_TO_DOUBLE(${v}::VARCHAR)` });
const bool = (name: string, field = name.toLowerCase()): AmplitudeColumn => ({ name, field, type: 'BOOLEAN', expr: (v) => `TRY_TO_BOOLEAN(${v}::VARCHAR)` });
const variant = (name: string, field = name.toLowerCase()): AmplitudeColumn => ({ name, field, type: 'VARIANT', expr: (v) => v });

export const AMPLITUDE_COLUMNS: readonly AmplitudeColumn[] = Object.freeze([
  str('UUID'),
  str('INSERT_ID', '$insert_id'),
  int('EVENT_ID'),
  str('EVENT_TYPE'),
  str('AMPLITUDE_EVENT_TYPE'),
  ts('EVENT_TIME'),
  ts('CLIENT_EVENT_TIME'),
  ts('CLIENT_UPLOAD_TIME'),
  ts('SERVER_UPLOAD_TIME'),
  ts('SERVER_RECEIVED_TIME'),
  ts('PROCESSED_TIME'),
  ts('USER_CREATION_TIME'),
  int('APP'),
  int('AMPLITUDE_ID'),
  str('USER_ID'),
  str('DEVICE_ID'),
  int('SESSION_ID'), // ms epoch, -1 when none
  str('PLATFORM'),
  str('OS_NAME'),
  str('OS_VERSION'),
  str('DEVICE_TYPE'),
  str('DEVICE_FAMILY'),
  str('DEVICE_BRAND'),
  str('DEVICE_MANUFACTURER'),
  str('DEVICE_MODEL'),
  str('DEVICE_CARRIER'),
  str('COUNTRY'),
  str('REGION'),
  str('CITY'),
  str('DMA'),
  str('LANGUAGE'),
  str('LIBRARY'),
  str('VERSION_NAME'),
  str('START_VERSION'),
  str('IP_ADDRESS'),
  dbl('LOCATION_LAT'),
  dbl('LOCATION_LNG'),
  str('PAYING'),
  bool('IS_ATTRIBUTION_EVENT'),
  str('IDFA'),
  str('ADID'),
  dbl('SAMPLE_RATE'),
  variant('EVENT_PROPERTIES'),
  variant('USER_PROPERTIES'),
  variant('GROUP_PROPERTIES'),
  variant('GROUPS'),
  variant('DATA'),
  variant('AMPLITUDE_ATTRIBUTION_IDS'),
]);
