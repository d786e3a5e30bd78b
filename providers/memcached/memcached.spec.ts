import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { inspect } from 'node:util';
import { BandmasterError, BootError, Container, Inject, Service } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { fakeServer, freePort } from '../../spec/support/provider-spec';
import { MemcachedConfig, memcached, type MemcachedClient } from '.';

// BANDMASTER_TEST_MEMCACHED_SERVERS points the suite at other servers (comma list of host:port)
const SERVERS = (process.env['BANDMASTER_TEST_MEMCACHED_SERVERS'] ?? '127.0.0.1:11211').split(',').map((s) => s.trim());
const [FIRST_HOST, FIRST_PORT] = splitAddress(SERVERS[0]!);
// memjs's 500ms default would fail a request the event loop of a loaded machine picks up late
const PATIENT = { timeout: 5_000, connTimeout: 5_000 };

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return colon > 0 ? [address.slice(0, colon).replace(/^\[|\]$/g, ''), Number(address.slice(colon + 1))] : [address, 11211];
}

/** Sends a text-protocol stats command on a connection of its own and parses the reply. */
async function stats(command: string): Promise<Map<string, string>> {
  const socket = net.connect(FIRST_PORT, FIRST_HOST);
  socket.write(`${command}\r\n`);
  let text = '';
  for await (const chunk of socket) {
    text += String(chunk);
    if (text.endsWith('END\r\n')) break;
  }
  socket.destroy();
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const [tag, key, ...value] = line.split(' ');
    if (tag === 'STAT' && key) out.set(key, value.join(' '));
  }
  return out;
}

/** Connections to the first server, not counting the one asking. */
async function currentConnections(): Promise<number> {
  return Number((await stats('stats')).get('curr_connections')) - 1;
}

/** Client ports the first server holds a connection from (`stats conns`). */
async function connectedPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const [key, value] of await stats('stats conns')) {
    if (key.endsWith(':addr')) ports.add(Number(value.slice(value.lastIndexOf(':') + 1)));
  }
  return ports;
}

/** Local ports of the client's open connections; memjs keeps them in a private field. */
function localPorts(client: MemcachedClient): number[] {
  return client.servers.map((s) => (s as unknown as { _socket?: net.Socket })._socket?.localPort).filter((p): p is number => p !== undefined);
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`never happened: ${what}`);
}

async function startFailure(boot: Promise<unknown>): Promise<BandmasterError> {
  const err = await boot.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BootError, `expected a BootError, got ${String(err)}`);
  assert.equal(err.errors[0]?.kind, 'ServiceStartFailure');
  return err.errors[0];
}

describe('memcached provider', () => {
  it('passes the conformance check against the server', async () => {
    await checkConformance(() => memcached({ name: 'mc-conformance', config: { ...PATIENT, servers: SERVERS } }));
  });

  it('injects the connected client into a service that round-trips through it', async () => {
    const key = `bandmaster-${process.pid}-round-trip`;
    @Service()
    class Cache {
      stored: string | undefined;
      constructor(@Inject('mc-1') readonly client: MemcachedClient) {}
      async onStart(): Promise<void> {
        await this.client.set(key, 'hello', { expires: 60 });
        this.stored = (await this.client.get(key)).value?.toString();
        await this.client.delete(key);
      }
    }
    const c = new Container({ logger: false });
    c.register(memcached({ name: 'mc-1', config: { ...PATIENT, servers: SERVERS } }), Cache);
    await c.startAll();
    try {
      assert.equal(c.resolve(Cache).stored, 'hello');
      assert.equal(c.resolve(Cache).client, c.resolve('mc-1'));
      assert.equal((await c.health()).healthy, true);
    } finally {
      await c.stopAll();
    }
  });

  it('closes its connection on stopAll: the server holds as many as before', async () => {
    const before = await currentConnections();
    const c = new Container({ logger: false });
    c.register(memcached({ name: 'mc-conn', config: { ...PATIENT, servers: [SERVERS[0]!] } }));
    await c.startAll();
    const mine = localPorts(c.resolve<MemcachedClient>('mc-conn'));
    assert.equal(mine.length, 1);
    assert.ok((await connectedPorts()).has(mine[0]!), 'the server lists the client connection');
    await c.stopAll();
    assert.ok(!(await connectedPorts()).has(mine[0]!), 'the connection outlived stopAll');
    await eventually(async () => (await currentConnections()) === before, `curr_connections back to ${before}`);
  });

  it('fails after exactly retries + 1 attempts on a closed port, naming host and port', async () => {
    const port = await freePort();
    const c = new Container({ logger: false });
    let attempts = 0;
    c.events.on((e) => {
      if (e.type === 'starting') attempts++;
    });
    c.register(memcached({ name: 'mc-x', config: { servers: [`127.0.0.1:${port}`] }, retries: 2, backoff: 1 }));
    const error = await startFailure(c.startAll());
    assert.equal(attempts, 3);
    assert.equal(error.service, 'mc-x');
    assert.equal(error.attempts, 3);
    assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
  });

  it('fails the start when one server of the pool is down, naming it and closing the others', async () => {
    const port = await freePort();
    const before = await currentConnections();
    const c = new Container({ logger: false });
    c.register(memcached({ name: 'mc-pool', config: { ...PATIENT, servers: [SERVERS[0]!, `127.0.0.1:${port}`] } }));
    const error = await startFailure(c.startAll());
    assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
    assert.ok(!error.message.includes(SERVERS[0]!), error.message);
    await eventually(async () => (await currentConnections()) === before, `curr_connections back to ${before}`);
  });

  it('names each bad variable in an InvalidConfig error, secrets masked', () => {
    const env = {
      MCBAD_SERVERS: 'cache 1:11211',
      MCBAD_TIMEOUT: 'soon',
      MCBAD_CONN_TIMEOUT: '0',
      MCBAD_FAILOVER: 'maybe',
      MCBAD_PASSWORD: 'hunter2-very-secret',
    };
    Object.assign(process.env, env);
    try {
      assert.throws(
        () => memcached({ name: 'mc-bad', env: 'MCBAD' }),
        (e: unknown) => {
          assert.ok(e instanceof BandmasterError);
          assert.equal(e.kind, 'InvalidConfig');
          assert.deepEqual([...(e.variables ?? [])].sort(), ['MCBAD_CONN_TIMEOUT', 'MCBAD_FAILOVER', 'MCBAD_SERVERS', 'MCBAD_TIMEOUT']);
          assert.ok(!e.message.includes('hunter2'));
          return true;
        },
      );
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  });

  it('masks secrets when its configuration is printed, serialized or inspected', () => {
    const config = Object.assign(new MemcachedConfig(), { servers: ['app:in-the-list@127.0.0.1:11211'], password: 'hunter2' });
    for (const shown of [String(config), JSON.stringify(config), inspect(config)]) {
      assert.ok(!/in-the-list|hunter2/.test(shown), shown);
      assert.ok(shown.includes('127.0.0.1:11211'), shown);
    }
  });

  it('leaves no socket behind when the start is aborted while waiting for the server', async () => {
    const fake = await fakeServer();
    try {
      const c = new Container({ logger: false });
      c.register(memcached({ name: 'mc-abort', config: { servers: [`127.0.0.1:${fake.port}`], timeout: 60_000, connTimeout: 60_000 } }));
      const controller = new AbortController();
      const boot = c.startAll({ signal: controller.signal });
      const socket = await fake.firstConnection;
      const closed = once(socket, 'close');
      controller.abort(new Error('shutting down'));
      await startFailure(boot);
      await closed;
      assert.equal(fake.accepted.length, 1);
    } finally {
      await fake.close();
    }
  });

  it('fails an attempt promptly when the server never answers, closing the socket', async () => {
    const fake = await fakeServer();
    try {
      const c = new Container({ logger: false });
      c.register(memcached({ name: 'mc-mute', config: { servers: [`127.0.0.1:${fake.port}`], timeout: 50 } }));
      const error = await startFailure(c.startAll());
      assert.ok(error.message.includes(`127.0.0.1:${fake.port}`), error.message);
      const socket = await fake.firstConnection;
      if (!socket.destroyed) await once(socket, 'close');
    } finally {
      await fake.close();
    }
  });

  it('fails an attempt when the server closes the connection without answering (memjs alone would wait forever)', async () => {
    const fake = await fakeServer((socket) => socket.end());
    try {
      const c = new Container({ logger: false });
      c.register(memcached({ name: 'mc-hangup', config: { servers: [`127.0.0.1:${fake.port}`], timeout: 60_000 } }));
      const error = await startFailure(c.startAll());
      assert.ok(error.message.includes(`127.0.0.1:${fake.port}`), error.message);
    } finally {
      await fake.close();
    }
  });
});
