import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import Redis from 'ioredis';
import { acquire } from '../../lib/fleet/lock';
import { RELEASE_MS } from '../../lib/fleet/lease';
import { RedisLockEngine } from '../../lib/fleet/redis-lock';
import { StallProxy } from './support/stall-proxy';

const URI = process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const clients: Redis[] = [];
const client = (): Redis => {
  const c = new Redis(URI, { lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
};

describe('RedisLockEngine', () => {
  after(() => {
    for (const c of clients) c.disconnect();
  });

  it('gives a key to one holder at a time, with a fencing token that grows with each new holder', async () => {
    const key = `spec-${randomUUID()}`;
    const a = new RedisLockEngine({ client: client(), leaseMs: 1_000 });
    const b = new RedisLockEngine({ client: client(), leaseMs: 1_000 });
    const first = await a.tryAcquire(key);
    assert.ok(first);
    assert.equal(await b.tryAcquire(key), undefined);
    await first.release();
    const second = await b.tryAcquire(key);
    assert.ok(second);
    assert.equal(second.token, first.token + 1);
    await b.close();
    assert.equal(await client().exists(`bandmaster:lock:${key}`), 0, 'a clean close deletes the lease');
  });

  it('gives up a release that gets no answer within RELEASE_MS, so a close behind a silent network ends', async () => {
    const key = `spec-${randomUUID()}`;
    const proxy = await new StallProxy(Number(new URL(URI).port || 6379)).listen();
    const silent = new Redis(`redis://127.0.0.1:${proxy.port}`, { maxRetriesPerRequest: 1 });
    clients.push(silent);
    const engine = new RedisLockEngine({ client: silent, leaseMs: 10_000 });
    assert.ok(await engine.tryAcquire(key));
    const stalled = proxy.stall(RELEASE_MS + 3_000);
    const t0 = performance.now();
    await engine.close();
    const took = performance.now() - t0;
    assert.ok(took >= RELEASE_MS - 50 && took < RELEASE_MS + 1_000, `the close took ${Math.round(took)} ms`);
    await stalled;
    silent.disconnect();
    await proxy.close();
  });

  it('keeps a lease alive past its length while the holder renews it', async () => {
    const key = `spec-${randomUUID()}`;
    const holder = new RedisLockEngine({ client: client(), leaseMs: 300 });
    const lease = await holder.tryAcquire(key);
    assert.ok(lease);
    await new Promise((r) => setTimeout(r, 900));
    assert.equal(lease.lost.aborted, false);
    assert.equal(await new RedisLockEngine({ client: client() }).tryAcquire(key), undefined);
    await holder.close();
  });

  it('stops trusting a lease before it can expire when renewals cannot reach the server, and a standby takes over after the lease', async () => {
    const key = `spec-${randomUUID()}`;
    const cut = client();
    const holder = new RedisLockEngine({ client: cut, leaseMs: 300 });
    const lease = await holder.tryAcquire(key);
    assert.ok(lease);
    const acquiredAt = performance.now();
    // a connection that stops answering: every renewal hangs in ioredis's offline queue
    cut.disconnect(false);
    const standby = new RedisLockEngine({ client: client(), leaseMs: 300 });
    const taking = acquire(standby, key, { pollMs: 10 });
    const lostAt = await new Promise<number>((resolve) => lease.lost.addEventListener('abort', () => resolve(performance.now()), { once: true }));
    const taken = await taking;
    const takenAt = performance.now();
    assert.ok(lostAt - acquiredAt < 300, `the holder stopped ${lostAt - acquiredAt} ms after acquiring, before its 300 ms lease ended`);
    assert.ok(takenAt >= lostAt, 'the standby takes over only after the holder stopped trusting its lease');
    assert.ok(taken.token > lease.token);
    await standby.close();
  });

  it('marks a lease lost when another holder took the key after it expired', async () => {
    const key = `spec-${randomUUID()}`;
    const c = client();
    const holder = new RedisLockEngine({ client: c, leaseMs: 300 });
    const lease = await holder.tryAcquire(key);
    assert.ok(lease);
    await c.set(`bandmaster:lock:${key}`, 'someone-else', 'PX', 5_000);
    const reason = await new Promise<unknown>((resolve) => lease.lost.addEventListener('abort', () => resolve(lease.lost.reason), { once: true }));
    assert.match(String((reason as Error).message), /taken over or expired/);
    await lease.release();
    assert.equal(await c.get(`bandmaster:lock:${key}`), 'someone-else', 'a lost lease never deletes the new holder key');
  });

  it('records a once key so that later boots see it done', async () => {
    const key = `spec-${randomUUID()}`;
    const e = new RedisLockEngine({ client: client() });
    assert.equal(await e.isDone(key), false);
    await e.markDone(key);
    assert.equal(await new RedisLockEngine({ client: client() }).isDone(key), true);
  });
});
