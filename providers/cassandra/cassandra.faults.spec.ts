import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { startCassandraTestServer, type CassandraTestServer, type CassandraTestServerOptions } from '../../spec/support/cassandra-server';
import { bootError, errorName, eventually, withTarget } from '../../spec/support/provider-spec';
import { cassandra } from './cassandra.provider';

// Faults can only be injected into the wire-level test server, so this file always uses it,
// also when BANDMASTER_TEST_CASSANDRA_CONTACT_POINTS points the main suite at a real server.

const TEST = { timeout: 30_000 };
/** Longer than any test waits: a socket that closes before it did not wait for the slow server. */
const SLOW = 20_000;

function withServer(options: CassandraTestServerOptions, body: (server: CassandraTestServer) => Promise<void>): Promise<void> {
  return withTarget(() => startCassandraTestServer(options), body);
}

describe('cassandra provider faults', () => {
  it('fails an attempt that outlives startTimeout with a timeout, and leaves no socket', TEST, () =>
    withServer({ faults: { delayMs: SLOW } }, async (server) => {
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: [server.contactPoint] }, startTimeout: 200, retries: 1, backoff: 10 }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 2);
      assert.equal(errorName(error.cause), 'TimeoutError');
      await eventually(() => server.connections === 0, 'the connect attempts to be torn down');
    }),
  );

  it('tears a connect down when the boot is aborted, leaving no socket', TEST, () =>
    withServer({ faults: { delayMs: SLOW } }, async (server) => {
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: [server.contactPoint] } }));
      const controller = new AbortController();
      const boot = container.startAll({ signal: controller.signal });
      await eventually(() => server.connections > 0, 'the driver to connect');
      controller.abort(new DOMException('shutting down', 'AbortError'));
      const error = await bootError(boot, 'ServiceStartFailure');
      assert.equal(errorName(error.cause), 'AbortError');
      await eventually(() => server.connections === 0, 'the connect to be torn down');
    }),
  );

  it('fails every attempt when the server drops the connection after the handshake, naming host and port', TEST, () =>
    withServer({ faults: { dropAfterStartup: true } }, async (server) => {
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: [server.contactPoint] }, retries: 1, backoff: 10 }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 2);
      assert.ok(error.message.includes(server.contactPoint), error.message);
      await eventually(() => server.connections === 0, 'every socket to close');
    }),
  );

  it('fails the attempt when the health query fails, and shuts the client down', TEST, () =>
    withServer({ faults: { failQueries: 'release_version' } }, async (server) => {
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: [server.contactPoint] } }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 1);
      assert.equal(errorName((error.cause as Error).cause), 'ResponseError');
      assert.ok(server.queries.includes('SELECT release_version FROM system.local'));
      await eventually(() => server.connections === 0, 'the client to shut down');
    }),
  );

  it('closes the socket the driver leaves open when connect fails after the handshake', TEST, () =>
    withServer({ faults: { failQueries: 'system.local' } }, async (server) => {
      const container = new Container({ logger: false });
      container.register(cassandra({ name: 'cql-1', config: { contactPoints: [server.contactPoint] } }));
      await bootError(container.startAll(), 'ServiceStartFailure');
      await eventually(() => server.connections === 0, 'the leaked control connection to close');
    }),
  );

  it('lets the driver reconnect on its own when the connection drops after start', TEST, async () => {
    const first = await startCassandraTestServer();
    const container = new Container({ logger: false });
    container.register(cassandra({ name: 'cql-1', config: { contactPoints: [first.contactPoint] } }));
    await container.startAll();
    await first.close();
    assert.equal((await container.health({ timeout: 2_000 })).healthy, false);
    await withServer({ port: first.port }, async (second) => {
      await eventually(async () => (await container.health({ timeout: 2_000 })).healthy, 'the driver to reconnect', 15_000);
      assert.equal(container.status()[0]!.state, 'started');
      await container.stopAll();
      await eventually(() => second.connections === 0, 'the client to shut down');
    });
  });
});
