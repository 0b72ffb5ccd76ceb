// The GitHub source model: GH Archive / Events API raw files → cleaned `events` (silver) → star schema (gold).
// SQL lives in models/github/*.sql; the analytic queries over the gold tables in models/analytics/*.sql.
import type { SourceModel } from '../../core/model.ts';
import { buildCleaned, EVENTS_TABLE } from './cleaned.ts';
import { buildAggregated, GOLD_TABLES } from './aggregated.ts';

export const model: SourceModel = {
  source: 'github',
  cleanedTables: [EVENTS_TABLE],
  buildCleaned,
  goldTables: [...GOLD_TABLES],
  buildAggregated,
};
