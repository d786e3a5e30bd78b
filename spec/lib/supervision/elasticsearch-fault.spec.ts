import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { Container, type LifecycleEvent } from '../../../lib';
import { elasticsearch } from '../../../providers/elasticsearch';
import { freePort } from '../../faults/support/servers';
import { startElasticsearchTestServer, type ElasticsearchTestServer } from '../../support/elasticsearch-server';
import { nextEvent } from './next-event';

const RESTART = { retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } } as const;

function record(container: Container): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  container.events.on((e) => void seen.push(e));
  return seen;
}

describe('supervision of the elasticsearch provider against the REST test server', () => {
  it('marks the service lost through health polls when the server goes away (the client has no connection events), and restarts it once it is back', { timeout: 30_000 }, async () => {
    const port = await freePort();
    let server: ElasticsearchTestServer = await startElasticsearchTestServer({ port });
    const container = new Container({ logger: false, healthInterval: 50, healthFailures: 2, healthTimeout: 300 });
    container.register(
      elasticsearch({ name: 'es-sup', config: { nodes: [`http://127.0.0.1:${port}`], maxRetries: 0, requestTimeout: 300 }, ...RESTART }),
      { name: 'search', deps: ['es-sup'], useFactory: (client: Client) => ({ client }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<Client>('es-sup');
      const lost = nextEvent(container, 'lost', 'es-sup');
      const restarted = nextEvent(container, 'restarted', 'es-sup', 20_000);
      await server.close();
      await lost;
      server = await startElasticsearchTestServer({ port });
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<Client>('es-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ client: Client }>('search').client, fresh);
      assert.ok((await fresh.info()).version);
      assert.equal(container.status().find((s) => s.name === 'es-sup')?.restarts, 1);
      process.stdout.write(`# elasticsearch restarted ${Math.round(ms)} ms after its server came back\n`);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.close();
    }
  });

  it('marks the service lost when the application closes its client, and not when the container stops it', { timeout: 30_000 }, async () => {
    const server = await startElasticsearchTestServer();
    const container = new Container({ logger: false });
    container.register(elasticsearch({ name: 'es-sup', config: { nodes: [server.url] }, ...RESTART }));
    const seen = record(container);
    try {
      await container.startAll();
      const first = container.resolve<Client>('es-sup');
      const lost = nextEvent(container, 'lost', 'es-sup');
      const restarted = nextEvent(container, 'restarted', 'es-sup');
      await first.close();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /closed by the application/);
      await restarted;
      assert.ok((await container.resolve<Client>('es-sup').info()).version);
      await container.stopAll({ timeout: 5_000 });
      assert.equal(seen.filter((e) => e.type === 'lost').length, 1, 'the container closing its own client is no loss');
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.close();
    }
  });
});
