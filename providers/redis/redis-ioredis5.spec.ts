// The redis provider's specs again, on ioredis 5 (the npm alias `ioredis5`); redis.spec.ts and
// redis-topologies.spec.ts run them on the installed ioredis (6.x).
import { aliasPeer } from '../../spec/support/peer-alias';

console.log(`# the redis provider on ioredis ${aliasPeer('ioredis', 'ioredis5')}`);
// loaded after the alias, so every require('ioredis') in them gets ioredis 5
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./redis.spec');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./redis-topologies.spec');
