import { aliasPeer } from '../../spec/support/peer-alias';
import { nodeRedisCases } from './node-redis.cases';

// node-redis 5.x, installed as the npm alias `redis5`
aliasPeer('redis', 'redis5');
nodeRedisCases();
