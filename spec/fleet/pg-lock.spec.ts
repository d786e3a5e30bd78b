import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Client } from 'pg';
import { acquire } from '../../lib/fleet/lock';
import { PgLockEngine } from '../../lib/fleet/pg-lock';
import { StallProxy } from './support/stall-proxy';

const URL = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const engines: PgLockEngine[] = [];
const clients: Client[] = [];

async function session(): Promise<Client> {
  const client = new Client({ connectionString: URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  clients.push(client);
  return client;
}

async function engine(heartbeatMs?: number): Promise<PgLockEngine> {
  const e = new PgLockEngine({ session: await session(), heartbeatMs });
  engines.push(e);
  return e;
}

const advisoryLocksOf = async (pid: number): Promise<number> => {
  const admin = await session();
  const { rows } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", [pid]);
  await admin.end();
  return Number(rows[0]?.n);
};

describe('PgLockEngine', () => {
  after(async () => {
    await Promise.allSettled(engines.map((e) => e.close()));
    await Promise.allSettled(clients.map((c) => c.end()));
  });

  it('gives a key to one holder at a time, with a fencing token that grows with each new holder', async () => {
    const key = `spec-${randomUUID()}`;
    const [a, b] = [await engine(), await engine()];
    const first = await a.tryAcquire(key);
    assert.ok(first);
    assert.equal(first.token, 1);
    assert.equal(await b.tryAcquire(key), undefined);
    assert.equal(await a.tryAcquire(key), undefined, 'a second take by the same holder is refused, not re-entered');
    await first.release();
    const second = await b.tryAcquire(key);
    assert.ok(second);
    assert.equal(second.token, 2);
    await second.release();
  });

  it('hands the lock to a waiting standby at once when the holder connection dies', async () => {
    const key = `spec-${randomUUID()}`;
    const holderSession = await session();
    const holder = new PgLockEngine({ session: holderSession });
    engines.push(holder);
    const lease = await holder.tryAcquire(key);
    assert.ok(lease);
    const standby = await engine();
    let waiting = false;
    const taking = acquire(standby, key, { pollMs: 20, onWait: () => { waiting = true; } });
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(waiting, true);
    const pid = (holderSession as unknown as { processID: number }).processID;
    const killedAt = performance.now();
    const admin = await session();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    const taken = await taking;
    const failoverMs = performance.now() - killedAt;
    assert.ok(taken.token > lease.token, 'the new holder has a larger fencing token');
    assert.ok(failoverMs < 1_000, `failover took ${failoverMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(lease.lost.aborted, true, 'the old holder learns its lease is lost');
    await taken.release();
  });

  it('records a once key so that later boots see it done', async () => {
    const key = `spec-${randomUUID()}`;
    const e = await engine();
    assert.equal(await e.isDone(key), false);
    const lease = await e.tryAcquire(key);
    assert.ok(lease);
    await e.markDone(key);
    await lease.release();
    assert.equal(await (await engine()).isDone(key), true);
  });

  it('leaves no advisory lock behind after 200 take-and-release cycles and a close', async () => {
    const key = `spec-${randomUUID()}`;
    const s = await session();
    const e = new PgLockEngine({ session: s });
    const pid = (s as unknown as { processID: number }).processID;
    for (let i = 0; i < 200; i++) {
      const lease = await e.tryAcquire(key);
      assert.ok(lease, `cycle ${i}`);
      await lease.release();
    }
    const held = await e.tryAcquire(`${key}-held`);
    assert.ok(held);
    assert.equal(await advisoryLocksOf(pid), 1);
    await e.close();
    assert.equal(held.lost.aborted, false, 'a clean close releases, it does not lose');
    assert.equal(await advisoryLocksOf(pid), 0);
  });

  it('marks its leases lost when a heartbeat is not answered in time', async () => {
    const key = `spec-${randomUUID()}`;
    const s = await session();
    const e = new PgLockEngine({ session: s, heartbeatMs: 50 });
    engines.push(e);
    const lease = await e.tryAcquire(key);
    assert.ok(lease);
    // a query that holds the connection longer than two heartbeats stands in for a network cut
    void s.query('SELECT pg_sleep(0.5)').catch(() => undefined);
    const reason = await new Promise<unknown>((resolve) => lease.lost.addEventListener('abort', () => resolve(lease.lost.reason), { once: true }));
    assert.match(String((reason as Error).message), /did not answer within 100 ms/);
  });
  it('makes its two tables on first use in a database that has none, with tokens from 1 and once records', async () => {
    const schema = `spec_${randomUUID().replace(/-/g, '')}`;
    const admin = await session();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const opened: Client[] = [];
      const open = async (): Promise<Client> => {
        const c = new Client({ connectionString: URL, options: `-c search_path=${schema}` });
        await c.connect();
        opened.push(c);
        return c;
      };
      const [a, b] = [new PgLockEngine({ session: open }), new PgLockEngine({ session: open })];
      engines.push(a, b);
      assert.equal(await a.isDone('k'), false, 'no table is no record');
      assert.equal(opened.length, 1, 'the connection opens on first use');
      const [first, second] = await Promise.all([a.tryAcquire('k'), b.tryAcquire('k2')]);
      assert.deepEqual([first?.token, second?.token], [1, 1], 'two engines racing to make the tables both get their lock');
      await a.markDone('k');
      assert.equal(await b.isDone('k'), true);
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_tables WHERE schemaname = $1', [schema]);
      assert.equal(Number(rows[0]?.n), 2);
      await Promise.all([first?.release(), second?.release(), a.close(), b.close()]);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('gives an unfenced lease token 0 and leaves the fencing token of the key untouched', async () => {
    const key = `spec-${randomUUID()}`;
    const e = await engine();
    const fenced = await e.tryAcquire(key);
    assert.equal(fenced?.token, 1);
    await fenced?.release();
    const plain = await e.tryAcquire(key, { fence: false });
    assert.equal(plain?.token, 0);
    assert.equal(await (await engine()).tryAcquire(key), undefined, 'an unfenced lease is still the lock');
    await plain?.release();
    const next = await e.tryAcquire(key);
    assert.equal(next?.token, 2);
    await next?.release();
  });
  it('closes within its end deadline when the network to the server is silent, so a stop never waits for TCP to give up', async () => {
    const proxy = await new StallProxy(5432).listen();
    try {
      const s = new Client({ connectionString: URL.replace(':5432', `:${proxy.port}`) });
      await s.connect();
      const e = new PgLockEngine({ session: s, heartbeatMs: 60_000 });
      const lease = await e.tryAcquire(`spec-${randomUUID()}`);
      assert.ok(lease);
      const stalled = proxy.stall(4_000);
      const startedAt = performance.now();
      await e.close();
      const ms = performance.now() - startedAt;
      assert.ok(ms < 3_000, `close took ${ms} ms`);
      await stalled;
    } finally {
      await proxy.close();
    }
  });
});
