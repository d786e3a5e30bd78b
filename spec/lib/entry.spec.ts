import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ENTRY = join(__dirname, '..', '..', 'lib', 'index.js');
const CLIENTS = ['ioredis', 'memjs', 'cassandra-driver', 'nats', 'kafkajs', '@elastic/elasticsearch', 'pg', '@opentelemetry/api'];

/** Runs a script in a fresh Node process, so module loading starts from nothing. */
function node(script: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bandmaster entry point', () => {
  it('fails at import with a message saying how to load reflect-metadata when it is missing', () => {
    const { status, stderr } = node(`require(${JSON.stringify(ENTRY)})`);
    assert.notEqual(status, 0);
    assert.match(stderr, /bandmaster needs the reflect-metadata polyfill: install it \(npm install reflect-metadata\) and import it once, before bandmaster/);
  });

  it('loads none of the client libraries, nor winston, until a provider or a default logger needs them', () => {
    const script = `
      require('reflect-metadata');
      const { Container } = require(${JSON.stringify(ENTRY)});
      new Container({ logger: false }).register({ name: 'x', useValue: 1 });
      const loaded = Object.keys(require.cache);
      const clients = ${JSON.stringify(CLIENTS)}.filter((pkg) => loaded.some((f) => f.includes('/node_modules/' + pkg + '/')));
      console.log(JSON.stringify({ clients, winston: loaded.some((f) => f.includes('/node_modules/winston/')) }));
    `;
    const { status, stdout, stderr } = node(script);
    assert.equal(status, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { clients: [], winston: false });
  });
});
