import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';
import { redis, type RedisClient } from '../../../providers/redis';
import { freePort } from '../../support/provider-spec';
import { nextEvent } from './next-event';

/** A private redis-server on `port`, resolved once it accepts connections; ended by its PID. */
async function privateRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 250; i++) {
    const { Redis } = await import('ioredis');
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      probe.disconnect();
      return child;
    } catch {
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not come up`);
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  process.kill(child.pid!, 'SIGKILL');
  await exited;
}

describe('supervision against a private redis-server', () => {
  it('restarts the redis service and its dependent with a fresh client once the killed server is back', { timeout: 30_000 }, async () => {
    const port = await freePort();
    let server = await privateRedis(port);
    const container = new Container({ logger: false, healthInterval: 50, healthFailures: 2, healthTimeout: 200 });
    container.register(
      redis({ name: 'rd-sup', config: { uri: `redis://127.0.0.1:${port}` }, retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } }),
      { name: 'sessions', deps: ['rd-sup'], useFactory: (client: RedisClient) => ({ client }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<RedisClient>('rd-sup');
      const lost = nextEvent(container, 'lost', 'rd-sup');
      const restarted = nextEvent(container, 'restarted', 'rd-sup');
      await kill(server);
      await lost;
      server = await privateRedis(port);
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<RedisClient>('rd-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ client: RedisClient }>('sessions').client, fresh);
      assert.equal(await fresh.ping(), 'PONG');
      assert.equal(container.status().find((s) => s.name === 'rd-sup')?.restarts, 1);
      // generous: the backoff is capped at 200 ms; the machine is shared
      assert.ok(ms < 5_000, `restarted ${Math.round(ms)} ms after the server came back`);
      process.stdout.write(`# redis restarted ${Math.round(ms)} ms after its server came back\n`);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      if (server.exitCode === null) await kill(server);
    }
  });
  it('gives up on a server that is killed again past maxRestarts: rd and its dependent failed, not ready, until the next startAll', { timeout: 30_000 }, async () => {
    const port = await freePort();
    let server = await privateRedis(port);
    const container = new Container({ logger: false, healthInterval: 50, healthFailures: 2, healthTimeout: 200 });
    container.register(
      redis({ name: 'rd-flap', config: { uri: `redis://127.0.0.1:${port}` }, retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 1, withinMs: 60_000 } }),
      { name: 'sessions', deps: ['rd-flap'], useFactory: (client: RedisClient) => ({ client }) },
    );
    try {
      await container.startAll();
      const lost = nextEvent(container, 'lost', 'rd-flap');
      const restarted = nextEvent(container, 'restarted', 'rd-flap');
      await kill(server);
      // back once the loss was seen: sooner, ioredis reconnects on its own and nothing is lost
      await lost;
      server = await privateRedis(port);
      await restarted;
      // the second loss within withinMs is past maxRestarts (1): given up, although the server comes back
      const gaveUp = nextEvent(container, 'restart-failed', 'rd-flap');
      await kill(server);
      const event = await gaveUp;
      server = await privateRedis(port);
      assert.equal(event.type === 'restart-failed' && event.error.kind, 'ServiceStartFailure');
      assert.match(event.type === 'restart-failed' ? String(event.error.detail) : '', /given up: more than 1 restarts within 60000 ms/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const [rd, sessions] = container.status();
      assert.equal(rd?.state, 'failed');
      assert.equal(sessions?.state, 'failed');
      assert.equal(sessions?.error?.kind, 'DependencyUnavailable');
      assert.equal((await container.health()).healthy, false);
      // given up means no further restart: the next startAll tries it again
      await container.startAll();
      assert.equal(await container.resolve<RedisClient>('rd-flap').ping(), 'PONG');
      assert.equal(container.status().every((s) => s.state === 'started'), true);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      if (server.exitCode === null) await kill(server);
    }
  });
});
