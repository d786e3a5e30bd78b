import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from 'cassandra-driver';
import { Container, type LifecycleEvent } from '../../../lib';
import { cassandra } from '../../../providers/cassandra';
import { freePort } from '../../faults/support/servers';
import { startCassandraTestServer, type CassandraTestServer } from '../../support/cassandra-server';
import { nextEvent } from './next-event';

const RESTART = { retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } } as const;

function record(container: Container): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  container.events.on((e) => void seen.push(e));
  return seen;
}

describe('supervision of the cassandra provider against the wire-level CQL test server', () => {
  it('marks the service lost when every host is down, and restarts it with a fresh client once the server is back', { timeout: 30_000 }, async () => {
    const port = await freePort();
    let server: CassandraTestServer = await startCassandraTestServer({ port });
    const container = new Container({ logger: false });
    container.register(
      cassandra({ name: 'cql-sup', config: { contactPoints: [server.contactPoint] }, ...RESTART }),
      { name: 'catalog', deps: ['cql-sup'], useFactory: (client: Client) => ({ client }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<Client>('cql-sup');
      const lost = nextEvent(container, 'lost', 'cql-sup');
      const restarted = nextEvent(container, 'restarted', 'cql-sup', 20_000);
      await server.close();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /every host is down/);
      server = await startCassandraTestServer({ port });
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<Client>('cql-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ client: Client }>('catalog').client, fresh);
      assert.equal((await fresh.execute('SELECT release_version FROM system.local')).rows.length, 1);
      assert.equal(container.status().find((s) => s.name === 'cql-sup')?.restarts, 1);
      process.stdout.write(`# cassandra restarted ${Math.round(ms)} ms after its server came back\n`);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.close();
    }
  });

  it('marks the service lost when the application shuts its client down, and not when the container stops it', { timeout: 30_000 }, async () => {
    const server = await startCassandraTestServer();
    const container = new Container({ logger: false });
    container.register(cassandra({ name: 'cql-sup', config: { contactPoints: [server.contactPoint] }, ...RESTART }));
    const seen = record(container);
    try {
      await container.startAll();
      const first = container.resolve<Client>('cql-sup');
      const lost = nextEvent(container, 'lost', 'cql-sup');
      const restarted = nextEvent(container, 'restarted', 'cql-sup');
      await first.shutdown();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /shut down by the application/);
      await restarted;
      assert.equal((await container.resolve<Client>('cql-sup').execute('SELECT release_version FROM system.local')).rows.length, 1);
      await container.stopAll({ timeout: 5_000 });
      assert.equal(seen.filter((e) => e.type === 'lost').length, 1, 'the container shutting its own client down is no loss');
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.close();
    }
  });
});
