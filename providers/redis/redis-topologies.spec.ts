import 'reflect-metadata';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { BootError, Container } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { connectionsNamed, freePort } from '../../spec/support/provider-spec';
import { redis, type RedisClient } from '.';

// Sentinel, Cluster and TLS need servers of their own: each is a redis-server this file runs, on a free
// port, in a temporary directory; the shared local server is left alone.

interface Spawned {
  readonly port: number;
  readonly admin: Redis;
  stop(): Promise<void>;
}

interface SpawnOptions {
  readonly configFile?: string;
  /** Serve TLS only, with a fresh self-signed certificate for 127.0.0.1; its PEM lands in `ca`. */
  readonly tls?: { ca: string };
  /** Admin connection credentials. */
  readonly admin?: Partial<RedisOptions>;
}

async function spawnRedis(args: readonly string[], options: SpawnOptions = {}): Promise<Spawned> {
  const dir = await mkdtemp(join(tmpdir(), 'bandmaster-redis-'));
  const port = await freePort();
  const listen = options.tls ? ['--port', '0', '--tls-port', String(port), ...(await certificate(dir, options.tls))] : ['--port', String(port)];
  const argv = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args];
  const configFile = options.configFile;
  if (configFile !== undefined) {
    await writeFile(join(dir, 'redis.conf'), configFile);
    argv.unshift(join(dir, 'redis.conf'));
  }
  const child = spawn('redis-server', argv, { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const failed = once(child, 'error').then(([err]) => {
    throw new Error(`cannot run redis-server (install the redis-server package): ${String(err)}`);
  });
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, ...options.admin, ...(options.tls ? { tls: { ca: options.tls.ca } } : {}) });
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

async function certificate(dir: string, out: { ca: string }): Promise<string[]> {
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  out.ca = await readFile(cert, 'utf8');
  return ['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no'];
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
    sentinel = await spawnRedis(['--sentinel'], { configFile: `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\n` });
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

describe('redis provider over TLS with an ACL user', () => {
  const tls = { ca: '' };
  const password = 'hunter2-very-secret';
  let server: Spawned;
  before(async () => {
    const acl = ['--user', 'default', 'off', '--user', 'app', 'on', `>${password}`, '~*', '&*', '+@all'];
    server = await spawnRedis(acl, { tls, admin: { username: 'app', password } });
  });
  after(async () => {
    await server?.stop();
  });

  it('verifies the server against the given CA, authenticates, and round-trips', async () => {
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-tls', config: { uri: `rediss://app@127.0.0.1:${server.port}`, password, tlsCa: tls.ca } }));
    await c.startAll();
    try {
      assert.equal(await roundTrip(c.resolve<RedisClient>('rd-tls')), 'hello');
    } finally {
      await c.stopAll();
    }
  });

  it('fails on a wrong password without showing it, and on an untrusted certificate', async () => {
    const c = new Container({ logger: false });
    c.register(
      redis({ name: 'rd-wrong', config: { uri: `rediss://app:nope-${password}@127.0.0.1:${server.port}`, tlsCa: tls.ca }, required: false }),
      redis({ name: 'rd-untrusted', config: { uri: `rediss://app@127.0.0.1:${server.port}`, password }, required: false }),
    );
    const report = await c.startAll();
    assert.deepEqual(report.errors.map((e) => [e.service, e.kind]), [['rd-wrong', 'ServiceStartFailure'], ['rd-untrusted', 'ServiceStartFailure']]);
    assert.ok(!inspect(report, { depth: Infinity }).includes(password), 'the password leaked into the report');
    assert.ok(report.errors.every((e) => e.message.includes(`127.0.0.1:${server.port}`)));
  });
});

describe('redis provider when its server goes away after start', () => {
  it('stops at once while ioredis waits to reconnect, leaving nothing to reconnect later', async () => {
    const server = await spawnRedis([]);
    const c = new Container({ logger: false });
    c.register(redis({ name: 'rd-gone', config: { uri: `redis://127.0.0.1:${server.port}` } }));
    try {
      await c.startAll();
      const client = c.resolve<RedisClient>('rd-gone');
      client.on('error', () => undefined);
      const reconnecting = once(client, 'reconnecting');
      await server.stop();
      await reconnecting;
      let reconnects = 0;
      client.on('reconnecting', () => reconnects++);
      await c.stopAll({ timeout: 5_000 });
      assert.equal(c.status()[0]?.state, 'stopped');
      assert.equal(reconnects, 0);
    } finally {
      await c.stopAll();
    }
  });
});
