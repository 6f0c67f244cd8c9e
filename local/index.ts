/**
 * The local AWS: everything tests, `npm run demo` and `npm run bench` need to run the bundled
 * functions on a laptop against real parts. An HTTP endpoint that speaks the Secrets Manager,
 * ElastiCache, MemoryDB and EventBridge wire protocols (with their state machines, faults,
 * delays and rate limits), a TLS redis-server whose ACL users follow that endpoint's users, and a
 * host that runs a bundle the way the Lambda runtime does.
 */
export * from './aws/endpoint';
export * from './functions/membership';
export * from './functions/owned-groups';
export * from './functions/recorded-run';
export * from './functions/rotation';
export * from './lambda/bundles';
export * from './lambda/host';
export * from './redis/server';
