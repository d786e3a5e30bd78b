import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, type LifecycleEvent } from '../../../lib';
import { nodeRedis, type NodeRedisClient } from '../../../providers/node-redis';
import { PrivateServer, freePort } from '../../faults/support/servers';
import { nextEvent } from './next-event';

const RESTART = { retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } } as const;

function record(container: Container): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  container.events.on((e) => void seen.push(e));
  return seen;
}

describe('supervision of the node-redis provider against a private redis-server', () => {
  it('restarts the service and its dependent with a fresh client once the killed server is back', { timeout: 30_000 }, async () => {
    const server = PrivateServer.redis(await freePort());
    await server.start();
    const container = new Container({ logger: false, healthInterval: 50, healthFailures: 2, healthTimeout: 200 });
    container.register(
      nodeRedis({ name: 'nrd-sup', config: { uri: `redis://127.0.0.1:${server.port}`, commandTimeout: 200 }, ...RESTART }),
      { name: 'sessions', deps: ['nrd-sup'], useFactory: (client: NodeRedisClient) => ({ client }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<NodeRedisClient>('nrd-sup');
      const lost = nextEvent(container, 'lost', 'nrd-sup');
      const restarted = nextEvent(container, 'restarted', 'nrd-sup');
      await server.kill();
      await lost;
      await server.start();
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<NodeRedisClient>('nrd-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ client: NodeRedisClient }>('sessions').client, fresh);
      assert.equal(await fresh.ping(), 'PONG');
      assert.equal(container.status().find((s) => s.name === 'nrd-sup')?.restarts, 1);
      process.stdout.write(`# node-redis restarted ${Math.round(ms)} ms after its server came back\n`);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.kill();
    }
  });

  it('marks the service lost when the application closes its client (end), and not when the container stops it', { timeout: 30_000 }, async () => {
    const server = PrivateServer.redis(await freePort());
    await server.start();
    const container = new Container({ logger: false });
    container.register(nodeRedis({ name: 'nrd-sup', config: { uri: `redis://127.0.0.1:${server.port}` }, ...RESTART }));
    const seen = record(container);
    try {
      await container.startAll();
      const first = container.resolve<NodeRedisClient>('nrd-sup');
      const lost = nextEvent(container, 'lost', 'nrd-sup');
      const restarted = nextEvent(container, 'restarted', 'nrd-sup');
      first.destroy();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /ended: no more reconnections/);
      await restarted;
      assert.equal(await container.resolve<NodeRedisClient>('nrd-sup').ping(), 'PONG');
      await container.stopAll({ timeout: 5_000 });
      assert.equal(seen.filter((e) => e.type === 'lost').length, 1, 'the container closing its own client is no loss');
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.kill();
    }
  });
});
