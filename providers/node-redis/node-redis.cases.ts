// The node-redis provider's specs, run once per client major: node-redis.spec.ts (the installed
// `redis`, 6.x) and node-redis-v5.spec.ts (5.x through the `redis5` npm alias).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { Container, Inject, Service } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { installedVersion } from '../../spec/support/peer-alias';
import { bootError, connectionsNamed, eventually, freePort, invalidConfig, uniqueName } from '../../spec/support/provider-spec';
import { nodeRedis, nodeRedisOptions, NodeRedisConfig, type NodeRedisClient } from '.';

// BANDMASTER_TEST_REDIS_URL points the suite at another server (credentials may go in the URL)
/** A hang is a failure, not a stuck run. */
const TEST = { timeout: 20_000 };
const SERVER_URI = process.env['BANDMASTER_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Declares the provider's specs for the `redis` package that `require('redis')` loads now. */
export function nodeRedisCases(): void {
  const admin = new Redis(SERVER_URI, { lazyConnect: true, maxRetriesPerRequest: 1 });
  after(() => admin.disconnect());
  const connections = async (name: string, expected: number): Promise<void> => {
    for (let i = 0; i < 100 && (await connectionsNamed(admin, name)) !== expected; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await connectionsNamed(admin, name), expected, `connections named ${name}`);
  };

  describe(`node-redis provider (redis ${installedVersion('redis')}) against the real server`, () => {
    it('passes the conformance check and leaves no connection open', TEST, async () => {
      const name = uniqueName('conformance');
      await checkConformance(() => nodeRedis({ name: 'rd-conformance', config: { uri: SERVER_URI, connectionName: name } }));
      await connections(name, 0);
    });

    it('injects the connected client into a service that round-trips through it, and closes it on stopAll', TEST, async () => {
      const key = uniqueName('key');
      const name = uniqueName('conn');
      @Service()
      class Sessions {
        stored: string | null = null;
        constructor(@Inject('rd-1') readonly redis: NodeRedisClient) {}
        async onStart(): Promise<void> {
          await this.redis.set(key, 'hello', { EX: 60 });
          this.stored = await this.redis.get(key);
          await this.redis.del(key);
        }
      }
      const container = new Container({ logger: false });
      container.register(nodeRedis({ name: 'rd-1', config: { uri: SERVER_URI, connectionName: name } }), Sessions);
      await container.startAll();
      assert.equal(container.resolve(Sessions).stored, 'hello');
      assert.equal((await container.health()).healthy, true);
      await connections(name, 1);
      const client = container.resolve<NodeRedisClient>('rd-1');
      await container.stopAll();
      await connections(name, 0);
      assert.equal(client.isOpen, false);
    });

    it('selects the configured database', TEST, async () => {
      const container = new Container({ logger: false });
      container.register(nodeRedis({ name: 'rd-1', config: { uri: SERVER_URI, db: 3 } }));
      await container.startAll();
      try {
        const info = await container.resolve<NodeRedisClient>('rd-1').clientInfo();
        assert.equal(info.db, 3);
      } finally {
        await container.stopAll();
      }
    });

    it('starts on the next attempt after an attempt aborted while its TCP connect was in flight', TEST, async () => {
      const name = uniqueName('inflight');
      const definition = nodeRedis({ name: 'rd-1', config: { uri: SERVER_URI, connectionName: name } });
      const first = new AbortController();
      const abortOnSocket = (): void => queueMicrotask(() => first.abort(new Error('start timed out')));
      subscribe('net.client.socket', abortOnSocket);
      const client = definition.useFactory(first.signal) as NodeRedisClient;
      try {
        await assert.rejects(Promise.resolve(definition.onStart!(client, first.signal)));
      } finally {
        unsubscribe('net.client.socket', abortOnSocket);
      }
      await definition.onStart!(client, new AbortController().signal);
      try {
        assert.equal(await client.ping(), 'PONG');
        await connections(name, 1);
      } finally {
        await definition.onStop!(client, new AbortController().signal);
      }
      await connections(name, 0);
    });

    it('fails a start against a closed port naming the address, in one attempt per retry, without reconnecting', TEST, async () => {
      const port = await freePort();
      const container = new Container({ logger: false });
      container.register(nodeRedis({ name: 'rd-1', retries: 1, config: { uri: `redis://127.0.0.1:${port}` } }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 2);
      assert.ok(String((error.cause as Error).message).includes(`127.0.0.1:${port} is unreachable`), String(error.cause));
    });
  });

  describe(`node-redis provider (redis ${installedVersion('redis')}) against a server that accepts and never answers`, () => {
    it('abandons each start attempt at its timeout and leaves no connection open, the retry included', TEST, async () => {
      const server = await silentServer();
      try {
        const container = new Container({ logger: false });
        container.register(nodeRedis({ name: 'rd-1', retries: 1, backoff: 10, startTimeout: 200, config: { uri: `redis://127.0.0.1:${server.port}` } }));
        const error = await bootError(container.startAll(), 'ServiceStartFailure');
        assert.equal(error.attempts, 2);
        await eventually(() => server.open === 0, 'the server to see every connection closed', 2_000);
        assert.equal(server.accepted, 2, 'one connection per attempt');
      } finally {
        await server.close();
      }
    });

    it('closes the socket of a start aborted while its TCP connect is still in flight', TEST, async () => {
      // node-redis 5 and 6 lose a destroy() that comes before the socket's connect event: the
      // socket then stayed open. The abort lands right after the client creates its socket.
      const server = await silentServer();
      const controller = new AbortController();
      const abortOnSocket = (): void => queueMicrotask(() => controller.abort(new Error('start timed out')));
      subscribe('net.client.socket', abortOnSocket);
      try {
        const definition = nodeRedis({ name: 'rd-1', config: { uri: `redis://127.0.0.1:${server.port}` } });
        const client = definition.useFactory(controller.signal) as NodeRedisClient;
        await assert.rejects(Promise.resolve(definition.onStart!(client, controller.signal)));
        unsubscribe('net.client.socket', abortOnSocket);
        await eventually(() => server.accepted === 1 && server.open === 0, 'the server to see the connection closed', 2_000);
      } finally {
        unsubscribe('net.client.socket', abortOnSocket);
        await server.close();
      }
    });
  });

  describe('node-redis provider configuration', () => {
    it('maps the ioredis provider variables to node-redis options, explicit fields over the URI', TEST, () => {
      const config = Object.assign(new NodeRedisConfig(), { uri: 'rediss://u:p@cache:6380/1', password: 'hunter2', db: 2, connectionName: 'api', commandTimeout: 500 });
      const options = nodeRedisOptions(config);
      assert.equal(options.url, 'rediss://u:p@cache:6380/1');
      assert.deepEqual([options.password, options.database, options.name], ['hunter2', 2, 'api']);
      assert.deepEqual(options.socket, { connectTimeout: 5_000, tls: true, rejectUnauthorized: true });
    });

    it('rejects Sentinel and Cluster settings with InvalidConfig naming them', TEST, () => {
      const error = invalidConfig(() => nodeRedis({ name: 'rd-1', config: { sentinels: ['s1:26379'], clusterNodes: ['c1:7000'] } }));
      assert.ok(error.variables?.includes('config.sentinels') && error.variables.includes('config.clusterNodes'), String(error.variables));
    });

    it('never shows the password when the client is printed', TEST, () => {
      const client = nodeRedis({ name: 'rd-1', config: { uri: 'redis://svc:hunter2@127.0.0.1:6379' } }).useFactory() as NodeRedisClient;
      assert.ok(!inspect(client).includes('hunter2'), inspect(client));
      assert.ok(inspect(client).includes('127.0.0.1:6379'));
    });
  });
}

interface SilentServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections still open. */
  readonly open: number;
  close(): Promise<void>;
}

/** A private TCP server on a free port that accepts connections, reads, and never answers. */
async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.resume(); // reading is what lets the server see the client's close
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
