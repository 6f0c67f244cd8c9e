/**
 * The local AWS: everything tests, `npm run demo` and `npm run bench` need to run the bundled
 * functions on a laptop against real parts. An HTTP endpoint that speaks the Secrets Manager,
 * ElastiCache, MemoryDB, EventBridge, SNS and SQS wire protocols (with their state machines, faults,
 * delays and rate limits), a TLS redis-server whose ACL users follow that endpoint's users, a
 * host that runs a bundle the way the Lambda runtime does, and an SQS event source mapping that
 * feeds it batches from a queue.
 */
export * from './aws/endpoint';
export * from './functions/membership';
export * from './functions/owned-groups';
export * from './functions/recorded-run';
export * from './functions/rotation';
export * from './lambda/bundles';
export * from './lambda/host';
export * from './lambda/sqs-event-source';
export * from './redis/server';
