import { nodeRedisCases } from './node-redis.cases';

nodeRedisCases();
