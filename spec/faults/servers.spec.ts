import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Container, type LifecycleReport } from '../../lib';
import { nats, type NatsConnection } from '../../providers/nats';
import { redis, type RedisClient } from '../../providers/redis';
import { sql, type Pool } from '../../providers/sql';
import { within } from './support/faults';
import { PrivateServer, TcpProxy, freePort } from './support/servers';

const RETRY_BUDGET = { retries: 40, backoff: { initial: 25, max: 200 } };
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Resolves after the service's `count`-th failed attempt. */
function retried(container: Container, service: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = container.events.on((e) => {
      if (e.type === 'start-retrying' && e.service === service && ++seen === count) {
        off();
        resolve();
      }
    });
  });
}

function attemptsOf(report: LifecycleReport, service: string): number {
  return report.services.find((s) => s.name === service)!.attempts;
}

async function privateRedis(): Promise<PrivateServer> {
  const server = PrivateServer.redis(await freePort());
  cleanups.push(() => server.kill());
  return server;
}

async function privateNats(): Promise<PrivateServer> {
  const server = PrivateServer.nats(await freePort());
  cleanups.push(() => server.kill());
  return server;
}

async function postgresProxy(): Promise<TcpProxy> {
  const proxy = new TcpProxy(await freePort(), 5432);
  cleanups.push(() => proxy.cut());
  return proxy;
}

const redisAt = (port: number) => redis({ name: 'rd', config: { uri: `redis://127.0.0.1:${port}`, connectTimeout: 1_000, commandTimeout: 1_000 }, ...RETRY_BUDGET });
const natsAt = (port: number) => nats({ name: 'nt', config: { servers: [`127.0.0.1:${port}`], timeout: 1_000 }, ...RETRY_BUDGET });
const postgresAt = (port: number) => sql({ name: 'pg', config: { url: `postgres://postgres@127.0.0.1:${port}/postgres`, connectTimeout: 1_000 }, ...RETRY_BUDGET });

describe('fault injection: real servers', () => {
  it('a Redis boot retrying while its server is down succeeds once the server is back, within its retry budget', async () => {
    const server = await privateRedis();
    await server.start();
    await server.kill();
    const container = new Container({ logger: false });
    container.register(redisAt(server.port));
    const back = retried(container, 'rd', 2).then(() => server.start());
    const report = await within(container.startAll({ timeout: 20_000 }), 25_000, 'startAll');
    await back;
    assert.ok(attemptsOf(report, 'rd') >= 3 && attemptsOf(report, 'rd') <= RETRY_BUDGET.retries + 1);
    assert.equal(await container.resolve<RedisClient>('rd').ping(), 'PONG');
    await container.stopAll({ timeout: 5_000 });
    assert.equal(container.status()[0]?.state, 'stopped');
  });

  it('a PostgreSQL boot retrying while its server is unreachable succeeds once it is reachable again', async () => {
    const proxy = await postgresProxy();
    const container = new Container({ logger: false });
    container.register(postgresAt(proxy.port));
    const back = retried(container, 'pg', 2).then(() => proxy.restore());
    const report = await within(container.startAll({ timeout: 20_000 }), 25_000, 'startAll');
    await back;
    assert.ok(attemptsOf(report, 'pg') >= 3);
    const { rows } = await container.resolve<Pool>('pg').query<{ one: number }>('SELECT 1 AS one');
    assert.deepEqual(rows, [{ one: 1 }]);
    await container.stopAll({ timeout: 5_000 });
    assert.equal(container.status()[0]?.state, 'stopped');
  });

  it('a NATS boot retrying while its server is down succeeds once the server is back, within its retry budget', async () => {
    const server = await privateNats();
    await server.start();
    await server.kill();
    const container = new Container({ logger: false });
    container.register(natsAt(server.port));
    const back = retried(container, 'nt', 2).then(() => server.start());
    const report = await within(container.startAll({ timeout: 20_000 }), 25_000, 'startAll');
    await back;
    assert.ok(attemptsOf(report, 'nt') >= 3 && attemptsOf(report, 'nt') <= RETRY_BUDGET.retries + 1);
    const connection = container.resolve<NatsConnection>('nt');
    await connection.flush();
    assert.equal(connection.isClosed(), false);
    await container.stopAll({ timeout: 5_000 });
    assert.equal(container.status()[0]?.state, 'stopped');
  });

  it('a NATS server killed while the container runs: health reports it unhealthy, stopAll still ends within its timeout', async () => {
    const server = await privateNats();
    await server.start();
    const container = new Container({ logger: false });
    container.register(natsAt(server.port));
    await container.startAll({ timeout: 10_000 });
    assert.equal((await container.health({ timeout: 2_000 })).healthy, true);
    await server.kill();
    const health = await within(container.health({ timeout: 1_000 }), 10_000, 'health');
    assert.equal(health.healthy, false);
    await within(container.stopAll({ timeout: 3_000 }).catch(() => undefined), 10_000, 'stopAll');
  });

  it('a Redis server killed while the container runs: health reports it unhealthy, stopAll still ends within its timeout', async () => {
    const server = await privateRedis();
    await server.start();
    const container = new Container({ logger: false });
    container.register(redisAt(server.port), { name: 'api', deps: ['rd'], useFactory: () => ({}) });
    await container.startAll({ timeout: 10_000 });
    assert.equal((await container.health({ timeout: 2_000 })).healthy, true);
    await server.kill();
    const health = await within(container.health({ timeout: 1_000 }), 10_000, 'health');
    assert.equal(health.healthy, false);
    assert.deepEqual(health.services.map((s) => [s.name, s.healthy]), [['rd', false], ['api', true]]);
    await within(container.stopAll({ timeout: 3_000 }).catch(() => undefined), 10_000, 'stopAll');
    assert.equal(container.status().find((s) => s.name === 'api')?.state, 'stopped');
  });

  it('a PostgreSQL server cut off while the container runs: health reports it unhealthy, stopAll still ends within its timeout', async () => {
    const proxy = await postgresProxy();
    await proxy.restore();
    const container = new Container({ logger: false });
    container.register(postgresAt(proxy.port));
    await container.startAll({ timeout: 10_000 });
    assert.equal((await container.health({ timeout: 2_000 })).healthy, true);
    await proxy.cut();
    const health = await within(container.health({ timeout: 1_000 }), 10_000, 'health');
    assert.equal(health.healthy, false);
    assert.equal(health.services[0]?.healthy, false);
    await within(container.stopAll({ timeout: 3_000 }).catch(() => undefined), 10_000, 'stopAll');
  });
});
