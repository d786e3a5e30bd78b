import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { BootError, Container } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { redis, type RedisClient } from '.';

// Sentinel and Cluster need servers of their own: each is a redis-server this file runs, on a free
// port, in a temporary directory; the shared local server is left alone.

interface Spawned {
  readonly port: number;
  readonly admin: Redis;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function spawnRedis(args: readonly string[], configFile?: string): Promise<Spawned> {
  const dir = await mkdtemp(join(tmpdir(), 'bandmaster-redis-'));
  const port = await freePort();
  const argv = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args];
  if (configFile !== undefined) {
    await writeFile(join(dir, 'redis.conf'), configFile);
    argv.unshift(join(dir, 'redis.conf'));
  }
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const failed = once(child, 'error').then(([err]) => {
    throw new Error(`cannot run redis-server (install the redis-server package): ${String(err)}`);
  });
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
  admin.on('error', () => undefined);
  const ready = (async () => {
    for (let i = 0; i < 250; i++) {
      try {
        await admin.connect();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    throw new Error(`redis-server on port ${port} did not come up`);
  })();
  await Promise.race([ready, failed]);
  return {
    port,
    admin,
    async stop() {
      admin.disconnect();
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Connections the server holds under `name`. */
async function connectionsNamed(admin: Redis, name: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

async function waitForConnections(admin: Redis, name: string, expected: number): Promise<void> {
  for (let i = 0; i < 100 && (await connectionsNamed(admin, name)) !== expected; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(await connectionsNamed(admin, name), expected, `connections named ${name}`);
}

async function roundTrip(client: RedisClient): Promise<string | null> {
  await client.set('bandmaster-topology', 'hello');
  return client.get('bandmaster-topology');
}

async function startFailure(c: Container): Promise<string> {
  const err = await c.startAll().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BootError, `expected a BootError, got ${String(err)}`);
  assert.equal(err.errors[0]?.kind, 'ServiceStartFailure');
  assert.equal(err.errors[0]?.attempts, 2);
  return err.errors[0].message;
}

describe('redis provider with Sentinel', () => {
  let master: Spawned;
  let sentinel: Spawned;
  before(async () => {
    master = await spawnRedis([]);
    sentinel = await spawnRedis(['--sentinel'], `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\n`);
  });
  after(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  it('passes the conformance check', async () => {
    await checkConformance(() => redis({ name: 'rd-sentinel', config: { sentinels: [`127.0.0.1:${sentinel.port}`] } }));
  });

  it('connects to the master the Sentinels name, and leaves no connection on it after stopAll', async () => {
    const name = `bandmaster-sentinel-${process.pid}`;
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-1', config: { sentinels: [`127.0.0.1:${sentinel.port}`], sentinelName: 'mymaster', connectionName: name } }));
    await c.startAll();
    try {
      const client = c.resolve<RedisClient>('rd-1');
      assert.ok(client instanceof Redis);
      assert.equal(await roundTrip(client), 'hello');
      assert.equal(await master.admin.get('bandmaster-topology'), 'hello');
      assert.equal(await connectionsNamed(master.admin, name), 1);
    } finally {
      await c.stopAll();
    }
    await waitForConnections(master.admin, name, 0);
  });

  it('fails after exactly the configured attempts when no Sentinel answers, naming them', async () => {
    const port = await freePort();
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-x', config: { sentinels: [`127.0.0.1:${port}`] }, retries: 1, backoff: 1 }));
    const message = await startFailure(c);
    assert.ok(message.includes(`127.0.0.1:${port}`), message);
  });
});

describe('redis provider with Cluster', () => {
  let node: Spawned;
  before(async () => {
    node = await spawnRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1']);
    await node.admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let i = 0; i < 250 && !String(await node.admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  after(async () => {
    await node?.stop();
  });

  it('passes the conformance check', async () => {
    await checkConformance(() => redis({ name: 'rd-cluster', config: { clusterNodes: [`127.0.0.1:${node.port}`] } }));
  });

  it('resolves a Cluster client that round-trips, and leaves no connection after stopAll', async () => {
    const name = `bandmaster-cluster-${process.pid}`;
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-1', config: { clusterNodes: [`127.0.0.1:${node.port}`], connectionName: name } }));
    await c.startAll();
    try {
      const client = c.resolve<RedisClient>('rd-1');
      assert.ok(client instanceof Cluster);
      assert.equal(await roundTrip(client), 'hello');
      assert.ok((await connectionsNamed(node.admin, name)) >= 1);
    } finally {
      await c.stopAll();
    }
    await waitForConnections(node.admin, name, 0);
  });

  it('fails after exactly the configured attempts when no node answers, naming them', async () => {
    const port = await freePort();
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-x', config: { clusterNodes: [`127.0.0.1:${port}`] }, retries: 1, backoff: 1 }));
    const message = await startFailure(c);
    assert.ok(message.includes(`127.0.0.1:${port}`), message);
  });
});
