// The Amplitude source model: explicit-schema silver (cleaned/amplitude/events) and gold (daily events by
// day/event_type/platform/country, daily active users). SQL lives in models/amplitude/*.sql.
import type { SourceModel } from '../../core/model.ts';
import { buildAmplitudeCleaned, MAIN_TABLE } from './cleaned.ts';
import { buildAmplitudeGold, GOLD_TABLES } from './gold.ts';

export const model: SourceModel = {
  source: 'amplitude',
  cleanedTables: [MAIN_TABLE],
  buildCleaned: buildAmplitudeCleaned,
  goldTables: [...GOLD_TABLES],
  buildAggregated: buildAmplitudeGold,
  quality: { key: 'uuid', notNull: ['uuid', 'event_type', 'event_time'], arrivalTime: 'server_upload_time' },
};
