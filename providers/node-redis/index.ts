export { NodeRedisConfig } from './node-redis.config';
export { nodeRedis, nodeRedisOptions } from './node-redis.provider';
export type { NodeRedisClient } from './node-redis.provider';
