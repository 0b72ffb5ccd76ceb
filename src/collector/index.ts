// The streaming collector's public surface (the serve plugin, the CLI and the CDK Lambda use these).
export { Collector, BufferFullError, defaultWalDir, type CollectorDeps } from './collector.ts';
export { registerCollectorRoutes, LIMITS, decodeData } from './http.ts';
export { ProducerKeys, addProducer, removeProducer, readProducerStore, envProducers, hashKey, keyFromHeaders } from './auth.ts';
export { Wal, readSegment, encodeEntry, encodeEntryDeflated } from './wal.ts';
export { deliveryKey, buildSegmentFiles, publishBuilt, type BuildSpec, type Built, type DeliveryResult } from './delivery.ts';
export { loadTransform, lambdaTransform, type BatchTransform } from './transform.ts';
export { handler, githubEventTransform, runTransform, transformRecord } from './firehose-transform.ts';
