import 'reflect-metadata';
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { BandmasterError, BootError, Container, Inject, Service } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { connectionsNamed, fakeServer, freePort, uniqueName } from '../../spec/support/provider-spec';
import { RedisConfig, redis, type RedisClient } from '.';

// BANDMASTER_TEST_REDIS_URL points the suite at another server (credentials may go in the URL)
const SERVER_URI = process.env['BANDMASTER_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const admin = new Redis(SERVER_URI, { lazyConnect: true, maxRetriesPerRequest: 1 });
after(() => admin.disconnect());

async function waitForConnections(name: string, expected: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await connectionsNamed(admin, name)) === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(await connectionsNamed(admin, name), expected, `connections named ${name}`);
}

function bootError(err: unknown): BootError {
  assert.ok(err instanceof BootError, `expected a BootError, got ${String(err)}`);
  return err;
}

describe('redis provider', () => {
  it('passes the conformance check against the server', async () => {
    await checkConformance(() => redis({ name: 'rd-conformance', config: { uri: SERVER_URI } }));
  });

  it('injects the connected client into a service that round-trips through it', async () => {
    const key = uniqueName('key');
    @Service()
    class Sessions {
      stored: string | null = null;
      constructor(@Inject('rd-1') readonly redis: RedisClient) {}
      async onStart(): Promise<void> {
        await this.redis.set(key, 'hello', 'EX', 60);
        this.stored = await this.redis.get(key);
        await this.redis.del(key);
      }
    }
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-1', config: { uri: SERVER_URI } }), Sessions);
    await c.startAll();
    try {
      assert.equal(c.resolve(Sessions).stored, 'hello');
      assert.ok(c.resolve('rd-1') instanceof Redis);
      assert.equal(c.resolve(Sessions).redis, c.resolve('rd-1'));
      const health = await c.health();
      assert.equal(health.healthy, true);
    } finally {
      await c.stopAll();
    }
  });

  it('closes its connection on stopAll: the server holds as many as before', async () => {
    const name = uniqueName('conn');
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-conn', config: { uri: SERVER_URI, connectionName: name } }));
    assert.equal(await connectionsNamed(admin, name), 0);
    await c.startAll();
    assert.equal(await connectionsNamed(admin, name), 1);
    const client = c.resolve<RedisClient>('rd-conn');
    await c.stopAll();
    await waitForConnections(name, 0);
    assert.equal(client.status, 'end');
  });

  it('reconnects on its own when the server drops the connection after start, and still stops cleanly', async () => {
    const name = uniqueName('drop');
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-drop', config: { uri: SERVER_URI, connectionName: name } }));
    await c.startAll();
    try {
      const client = c.resolve<RedisClient>('rd-drop');
      client.on('error', () => undefined);
      const reconnected = once(client, 'ready');
      assert.equal(await admin.call('CLIENT', 'KILL', 'ID', String(await client.client('ID'))), 1);
      await reconnected;
      assert.equal(await client.ping(), 'PONG');
    } finally {
      await c.stopAll();
    }
    await waitForConnections(name, 0);
  });

  it('fails after exactly retries + 1 attempts on a closed port, naming host and port', async () => {
    const port = await freePort();
    const c = new Container({ logger: false });
    let attempts = 0;
    c.events.on((e) => {
      if (e.type === 'starting') attempts++;
    });
    c.register(redis({ name: 'rd-x', config: { uri: `redis://127.0.0.1:${port}` }, retries: 2, backoff: 1 }));
    const err = bootError(await c.startAll().then(() => undefined, (e: unknown) => e));
    assert.equal(attempts, 3);
    const [error] = err.errors;
    assert.equal(error?.kind, 'ServiceStartFailure');
    assert.equal(error?.service, 'rd-x');
    assert.equal(error?.attempts, 3);
    assert.ok(error?.message.includes(`127.0.0.1:${port}`), error?.message);
  });

  it('keeps the password out of the error when authentication fails', async () => {
    const url = new URL(SERVER_URI);
    const secret = 'hunter2-very-secret';
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-auth', config: { uri: `redis://${url.host}`, username: 'nobody', password: secret } }));
    const err = bootError(await c.startAll().then(() => undefined, (e: unknown) => e));
    assert.equal(err.errors[0]?.kind, 'ServiceStartFailure');
    assert.ok(err.errors[0]?.message.includes(url.host), err.errors[0]?.message);
    assert.ok(!inspect(err, { depth: Infinity }).includes(secret), 'the secret leaked into the error');
    assert.ok(!String(c.status()[0]?.error).includes(secret));
  });

  it('names each bad variable in an InvalidConfig error, secrets masked', () => {
    const env = {
      RDBAD_URI: 'http://127.0.0.1:6379',
      RDBAD_DB: '-1',
      RDBAD_CONNECT_TIMEOUT: 'soon',
      RDBAD_TLS: 'maybe',
      RDBAD_SENTINELS: '127.0.0.1:26379',
      RDBAD_CLUSTER_NODES: '127.0.0.1:7000',
      RDBAD_PASSWORD: 'hunter2-very-secret',
    };
    Object.assign(process.env, env);
    try {
      assert.throws(
        () => redis({ name: 'rd-bad', env: 'RDBAD' }),
        (e: unknown) => {
          assert.ok(e instanceof BandmasterError);
          assert.equal(e.kind, 'InvalidConfig');
          assert.deepEqual([...(e.variables ?? [])].sort(), ['RDBAD_CONNECT_TIMEOUT', 'RDBAD_DB', 'RDBAD_SENTINELS', 'RDBAD_TLS', 'RDBAD_URI']);
          assert.ok(!e.message.includes('hunter2'));
          return true;
        },
      );
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  });

  it('masks secrets when its configuration is printed, serialized or inspected', () => {
    const config = Object.assign(new RedisConfig(), { uri: 'redis://app:in-the-url@127.0.0.1:6379', password: 'hunter2', sentinelPassword: 'sentinel-secret' });
    for (const shown of [String(config), JSON.stringify(config), inspect(config)]) {
      assert.ok(!/in-the-url|hunter2|sentinel-secret/.test(shown), shown);
      assert.ok(shown.includes('127.0.0.1:6379'), shown);
    }
  });

  it('leaves no socket behind when the start is aborted during the handshake', async () => {
    const silent = await fakeServer();
    try {
      const c = new Container({ logger: false });
      c.register(redis({ name: 'rd-abort', config: { uri: `redis://127.0.0.1:${silent.port}`, connectTimeout: 60_000 } }));
      const controller = new AbortController();
      const boot = c.startAll({ signal: controller.signal });
      const socket = await silent.firstConnection;
      const closed = once(socket, 'close');
      controller.abort(new Error('shutting down'));
      const err = bootError(await boot.then(() => undefined, (e: unknown) => e));
      assert.equal(err.errors[0]?.kind, 'ServiceStartFailure');
      await closed;
      assert.equal(silent.accepted.length, 1);
    } finally {
      await silent.close();
    }
  });

  it('fails an attempt the server never answers once connectTimeout has passed, closing the socket', async () => {
    const silent = await fakeServer();
    try {
      const c = new Container({ logger: false });
      c.register(redis({ name: 'rd-mute', config: { uri: `redis://127.0.0.1:${silent.port}`, connectTimeout: 100 } }));
      const err = bootError(await c.startAll().then(() => undefined, (e: unknown) => e));
      assert.equal(err.errors[0]?.kind, 'ServiceStartFailure');
      assert.ok(err.errors[0]?.message.includes(`127.0.0.1:${silent.port}`), err.errors[0]?.message);
      const socket = await silent.firstConnection;
      if (!socket.destroyed) await once(socket, 'close');
      assert.equal(silent.accepted.length, 1);
    } finally {
      await silent.close();
    }
  });
});
