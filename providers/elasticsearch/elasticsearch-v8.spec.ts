// The elasticsearch provider's specs again, on client 8.19 (the npm alias `elasticsearch8`);
// elasticsearch.spec.ts and elasticsearch.faults.spec.ts run them on the installed 9.x client.
import { aliasPeer } from '../../spec/support/peer-alias';

console.log(`# the elasticsearch provider on @elastic/elasticsearch ${aliasPeer('@elastic/elasticsearch', 'elasticsearch8')}`);
// loaded after the alias, so every require('@elastic/elasticsearch') in them gets the 8.x client
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./elasticsearch.spec');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('./elasticsearch.faults.spec');
