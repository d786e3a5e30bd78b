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
});
