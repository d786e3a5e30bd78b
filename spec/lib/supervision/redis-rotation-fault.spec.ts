import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, isBandmasterError, type LifecycleEvent } from '../../../lib';
import { redis, type RedisClient } from '../../../providers/redis';
import { freePort, PrivateServer } from '../../faults/support/servers';

const OLD = 'old-secret-8d1f';
const NEW = 'new-secret-3b7a';

/** A short-lived client of the private server, for CONFIG SET and CLIENT LIST. */
async function admin<T>(port: number, password: string, run: (client: RedisClient) => Promise<T>): Promise<T> {
  const { Redis } = await import('ioredis');
  const client = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}

const definition = (port: number, password: string) =>
  redis({ name: 'rd', config: { uri: `redis://:${password}@127.0.0.1:${port}`, connectTimeout: 500 }, retries: 1, backoff: 20 });

describe('supervision: a Redis password rotated on a private redis-server', () => {
  it('restart() with the old config fails naming rd and no secret; with the new config it brings rd and its dependent back', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const server = PrivateServer.redis(port, ['--requirepass', OLD]);
    await server.start();
    const seen: LifecycleEvent[] = [];
    const container = new Container({ logger: false });
    container.events.on((e) => seen.push(e));
    container.register(definition(port, OLD), { name: 'sessions', deps: ['rd'], useFactory: (client: RedisClient) => ({ client }) });
    try {
      await container.startAll();
      const first = container.resolve<RedisClient>('rd');
      await admin(port, OLD, (c) => c.config('SET', 'requirepass', NEW));
      // the old client is still authenticated: Redis does not drop it, only new connections fail
      assert.equal(await first.ping(), 'PONG');
      const stale = await container.restart('rd').then(() => undefined, (e: unknown) => e);
      assert.ok(stale instanceof BootError, `expected a BootError, got ${String(stale)}`);
      const rdError = stale.errors.find((e) => e.service === 'rd');
      assert.equal(rdError?.kind, 'ServiceStartFailure');
      assert.match(String(rdError?.cause), /WRONGPASS|NOAUTH|invalid username-password/i);
      const rendered = [stale.message, ...stale.errors.map((e) => e.message), stale.report.toString(), JSON.stringify(stale.report), container.timeline().toText()].join('\n');
      assert.ok(!rendered.includes(OLD) && !rendered.includes(NEW), 'a secret was printed');
      assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['rd', 'failed'], ['sessions', 'failed']]);
      assert.equal(seen.filter((e) => e.type === 'restart-failed').length, 1);

      // the new credentials: a failed service may be overridden, and restart() starts it and its dependent
      container.override('rd', definition(port, NEW));
      const report = await container.restart('rd');
      assert.deepEqual(report.restarted, ['rd', 'sessions']);
      const fresh = container.resolve<RedisClient>('rd');
      assert.notEqual(fresh, first);
      assert.equal(await fresh.ping(), 'PONG');
      assert.equal(container.resolve<{ client: RedisClient }>('sessions').client, fresh);
      assert.equal(container.status().find((s) => s.name === 'rd')?.restarts, 2);
      // the old client was closed by the restart's stop: only the new one is connected
      const clients = await admin(port, NEW, async (c) => String(await c.client('LIST')).trim().split('\n').length);
      assert.equal(clients, 2, 'CLIENT LIST: the service and this admin connection');
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.kill();
    }
  });
  it('restart() of a running service whose config is a function brings it back on the rotated password, with no override', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const server = PrivateServer.redis(port, ['--requirepass', OLD]);
    await server.start();
    // where the application keeps its current secret (a vault client, a reloaded file...)
    let password = OLD;
    const container = new Container({ logger: false });
    container.register(
      redis({ name: 'rd', config: () => ({ uri: `redis://:${password}@127.0.0.1:${port}`, connectTimeout: 500 }), retries: 1, backoff: 20 }),
      { name: 'sessions', deps: ['rd'], useFactory: (client: RedisClient) => ({ client }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<RedisClient>('rd');
      await admin(port, OLD, (c) => c.config('SET', 'requirepass', NEW));
      password = NEW;
      const report = await container.restart('rd');
      assert.deepEqual(report.restarted, ['rd', 'sessions']);
      const fresh = container.resolve<RedisClient>('rd');
      assert.notEqual(fresh, first);
      assert.equal(await fresh.ping(), 'PONG');
      assert.equal(container.resolve<{ client: RedisClient }>('sessions').client, fresh);
      assert.ok(!report.toString().includes(NEW) && !JSON.stringify(report).includes(NEW), 'a secret was printed');
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await server.kill();
    }
  });

  it('a config function that throws is InvalidConfig at registration, its message (which may hold a secret) left to `cause`', () => {
    const thrown = (() => {
      try {
        redis({ name: 'rd', config: () => { throw new Error(`vault answered ${OLD}`); } });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    assert.ok(isBandmasterError(thrown), `expected a BandmasterError, got ${String(thrown)}`);
    assert.equal(thrown.kind, 'InvalidConfig');
    assert.equal(thrown.service, 'rd');
    assert.ok(!thrown.message.includes(OLD), 'the secret was printed');
  });
});
