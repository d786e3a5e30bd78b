// The node-redis provider's specs, run once per client major: node-redis.spec.ts (the installed
// `redis`, 6.x) and node-redis-v5.spec.ts (5.x through the `redis5` npm alias).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { once } from 'node:events';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { Container, Inject, Service } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { installedVersion } from '../../spec/support/peer-alias';
import { bootError, connectionsNamed, fakeServer, freePort, invalidConfig, uniqueName } from '../../spec/support/provider-spec';
import { nodeRedis, nodeRedisOptions, NodeRedisConfig, type NodeRedisClient } from '.';

// BANDMASTER_TEST_REDIS_URL points the suite at another server (credentials may go in the URL)
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
    it('passes the conformance check and leaves no connection open', async () => {
      const name = uniqueName('conformance');
      await checkConformance(() => nodeRedis({ name: 'rd-conformance', config: { uri: SERVER_URI, connectionName: name } }));
      await connections(name, 0);
    });

    it('injects the connected client into a service that round-trips through it, and closes it on stopAll', async () => {
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

    it('selects the configured database', async () => {
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

    it('fails a start against a closed port naming the address, in one attempt per retry, without reconnecting', async () => {
      const port = await freePort();
      const container = new Container({ logger: false });
      container.register(nodeRedis({ name: 'rd-1', retries: 1, config: { uri: `redis://127.0.0.1:${port}` } }));
      const error = await bootError(container.startAll(), 'ServiceStartFailure');
      assert.equal(error.attempts, 2);
      assert.ok(String((error.cause as Error).message).includes(`127.0.0.1:${port} is unreachable`), String(error.cause));
    });

    it('abandons a start whose server never answers when the start times out, and destroys the socket', async () => {
      const server = await fakeServer();
      try {
        const container = new Container({ logger: false });
        container.register(nodeRedis({ name: 'rd-1', startTimeout: 200, config: { uri: `redis://127.0.0.1:${server.port}` } }));
        await bootError(container.startAll(), 'ServiceStartFailure');
        const socket = await server.firstConnection;
        if (!socket.closed) await once(socket, 'close');
      } finally {
        await server.close();
      }
    });
  });

  describe('node-redis provider configuration', () => {
    it('maps the ioredis provider variables to node-redis options, explicit fields over the URI', () => {
      const config = Object.assign(new NodeRedisConfig(), { uri: 'rediss://u:p@cache:6380/1', password: 'hunter2', db: 2, connectionName: 'api', commandTimeout: 500 });
      const options = nodeRedisOptions(config);
      assert.equal(options.url, 'rediss://u:p@cache:6380/1');
      assert.deepEqual([options.password, options.database, options.name], ['hunter2', 2, 'api']);
      assert.deepEqual(options.socket, { connectTimeout: 5_000, tls: true, rejectUnauthorized: true });
    });

    it('rejects Sentinel and Cluster settings with InvalidConfig naming them', () => {
      const error = invalidConfig(() => nodeRedis({ name: 'rd-1', config: { sentinels: ['s1:26379'], clusterNodes: ['c1:7000'] } }));
      assert.ok(error.variables?.includes('config.sentinels') && error.variables.includes('config.clusterNodes'), String(error.variables));
    });

    it('never shows the password when the client is printed', () => {
      const client = nodeRedis({ name: 'rd-1', config: { uri: 'redis://svc:hunter2@127.0.0.1:6379' } }).useFactory() as NodeRedisClient;
      assert.ok(!inspect(client).includes('hunter2'), inspect(client));
      assert.ok(inspect(client).includes('127.0.0.1:6379'));
    });
  });
}
