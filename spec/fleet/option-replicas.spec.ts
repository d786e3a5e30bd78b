import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Redis from 'ioredis';
import { Client } from 'pg';

const PG = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPLICA = join(__dirname, 'fixtures', 'option-replica.js');
const children = new Set<ChildProcess>();

interface Replica {
  readonly child: ChildProcess;
  readonly messages: string[];
  /** Resolves to the `booted <state>` message, or `exit <code>`. */
  readonly booted: Promise<string>;
  readonly exited: Promise<void>;
}

function replica(args: string[]): Replica {
  const child = fork(REPLICA, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const messages: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => (children.delete(child), resolve())));
  const booted = new Promise<string>((resolve) => {
    child.on('message', (m) => {
      messages.push(String(m));
      if (String(m).startsWith('booted')) resolve(String(m));
    });
    void exited.then(() => resolve(`exit ${child.exitCode ?? child.signalCode}`));
  });
  return { child, messages, booted, exited };
}

interface Row {
  readonly token: number;
  readonly pid: number;
  readonly at: number;
}

async function withJournal<T>(columns: string, body: (table: string, db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: PG });
  await db.connect();
  const table = `bandmaster_fleet_${randomUUID().replace(/-/g, '')}`;
  await db.query(`CREATE TABLE ${table} (${columns})`);
  try {
    return await body(table, db);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }
}

const until = async (what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> => {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** One holder at any moment: rows never go back to an older token, one pid per token, no token 0. */
function assertNoOverlap(rows: readonly Row[]): void {
  const owner = new Map<number, number>();
  let newest = 0;
  for (const row of rows) {
    assert.ok(row.token > 0, 'every row carries the token of the acquired event');
    assert.ok(row.token >= newest, `token ${row.token} written after token ${newest}: two holders at once`);
    newest = row.token;
    assert.equal(owner.get(row.token) ?? row.pid, row.pid, `token ${row.token} held by two replicas`);
    owner.set(row.token, row.pid);
  }
}

async function exclusiveFailover(engine: 'pg' | 'redis'): Promise<number> {
  return withJournal('id bigserial PRIMARY KEY, token bigint NOT NULL, pid int NOT NULL, at timestamptz NOT NULL', async (table, db) => {
    const rows = async (): Promise<Row[]> =>
      (await db.query<{ token: string; pid: number; at: Date }>(`SELECT token, pid, at FROM ${table} ORDER BY id`)).rows.map((r) => ({ token: Number(r.token), pid: r.pid, at: r.at.getTime() }));
    const key = `options-${randomUUID()}`;
    const replicas = [1, 2, 3].map(() => replica(['exclusive', engine, key, table]));
    const states = await Promise.all(replicas.map((r) => r.booted));
    assert.deepEqual([...states].sort(), ['booted standby', 'booted standby', 'booted started'], 'startAll resolves on every replica: one holder, two on standby');
    await until('the holder to write', async () => (await rows()).length >= 5);
    const holderPid = (await rows()).at(-1)!.pid;
    assert.ok((await rows()).every((r) => r.pid === holderPid), 'only the holder runs the exclusive service');
    const holder = replicas.find((r) => r.child.pid === holderPid)!;
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await until('a standby to take over', async () => (await rows()).some((r) => r.pid !== holderPid));
    const all = await rows();
    assertNoOverlap(all);
    const successor = all.find((r) => r.pid !== holderPid)!;
    const rest = replicas.filter((r) => r !== holder);
    const taker = rest.find((r) => r.child.pid === successor.pid)!;
    assert.ok(taker.messages.includes('event acquired relay') && taker.messages.includes('event started api'), 'the standby took the lock and started the service, then its dependent');
    for (const r of rest) r.child.kill('SIGTERM');
    await Promise.all(rest.map((r) => r.exited));
    assert.ok(taker.messages.includes('event released relay'), 'stopAll released the lock after stopping the service');
    assertNoOverlap(await rows());
    if (engine === 'redis') {
      const client = new Redis(REDIS);
      assert.equal(await client.exists(`bandmaster:lock:${key}`), 0, 'no lease is left behind');
      client.disconnect();
    }
    return successor.at - killedAt;
  });
}

describe('the exclusive and once options across replica processes', () => {
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('runs an exclusive service on exactly one of three PostgreSQL replicas, and a standby takes over at once after kill -9 of the holder', async () => {
    const ms = await exclusiveFailover('pg');
    console.log(`# options, PostgreSQL: failover after kill -9 of the holder: ${ms} ms`);
    assert.ok(ms < 2_000, `failover took ${ms} ms`);
  });

  it('runs an exclusive service on exactly one of three Redis replicas, and a standby takes over within the lease after kill -9 of the holder', async () => {
    const ms = await exclusiveFailover('redis');
    console.log(`# options, Redis (lease 600 ms): failover after kill -9 of the holder: ${ms} ms`);
    assert.ok(ms < 600 + 1_500, `failover took ${ms} ms`);
  });

  for (const engine of ['pg', 'redis'] as const) {
    it(`runs a once migration exactly once when five replicas boot at the same time (${engine}), all five boot after it, and a second deploy skips it`, async () => {
      await withJournal('pid int NOT NULL', async (table, db) => {
        const count = async (): Promise<number> => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
        const key = `options-once-${randomUUID()}`;
        const replicas = [1, 2, 3, 4, 5].map(() => replica(['once', engine, key, table, '300']));
        const states = await Promise.all(replicas.map((r) => r.booted));
        assert.deepEqual(states, Array(5).fill('booted started'), 'every replica boots, the once service started');
        assert.equal(await count(), 1, 'the migration ran once');
        assert.equal(replicas.filter((r) => r.messages.includes('running')).length, 1);
        for (const r of replicas) assert.ok(r.messages.indexOf('event started Api') > r.messages.indexOf('event started Migrations'), 'Api boots after the migration');
        const again = replica(['once', engine, key, table, '300']);
        assert.equal(await again.booted, 'booted started');
        assert.equal(again.messages.includes('running'), false, 'a second deploy skips it');
        assert.equal(await count(), 1);
        for (const r of [...replicas, again]) r.child.kill('SIGTERM');
        await Promise.all([...replicas, again].map((r) => r.exited));
      });
    });
  }

  for (const engine of ['pg', 'redis'] as const) {
    it(`runs a once migration again on the next replica when its runner is killed mid-way (${engine}), and that replica boots`, async () => {
      await withJournal('pid int NOT NULL', async (table, db) => {
        const key = `options-once-${randomUUID()}`;
        const first = replica(['once', engine, key, table, '60000']);
        await until('the first runner to begin', async () => first.messages.includes('running'));
        const second = replica(['once', engine, key, table, '100']);
        await until('the second replica to wait', async () => second.messages.includes('event starting Migrations'));
        first.child.kill('SIGKILL');
        assert.equal(await second.booted, 'booted started');
        assert.ok(second.messages.includes('running'), 'the second replica ran the migration');
        assert.equal(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n), 1);
        second.child.kill('SIGTERM');
        await second.exited;
      });
    });
  }
});
