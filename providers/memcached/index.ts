export { MemcachedConfig } from './memcached.config';
export { memcached } from './memcached.provider';
export type { MemcachedClient } from './memcached.provider';
export type { Client } from 'memjs';
