// Public surface of the cleaned/aggregated layers.
export { runTransform, type TransformOptions, type PartitionSummary } from './transform.ts';
export { runAggregate, type AggregateOptions, type AggregateSummary } from './aggregate.ts';
export { runQuality, QualityError, type CheckResult, type QualityReport } from './quality.ts';
export { queryLake, formatResult, type QueryResult, type OutputFormat } from './query.ts';
export { openLayerEngine, withLayerEngine } from './engine.ts';
export { registerLakeViews, type LakeView } from '../serve/lake-views.ts';
