export { RedisConfig } from './redis.config';
export { redis } from './redis.provider';
export type { RedisClient } from './redis.provider';
export type { Redis, Cluster } from 'ioredis';
