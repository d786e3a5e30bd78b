import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from 'pg';

const PG = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REPLICA = join(__dirname, 'fixtures', 'replica.js');
const children = new Set<ChildProcess>();

interface Row {
  readonly token: number;
  readonly pid: number;
  readonly at: number;
}

async function journal(): Promise<{ db: Client; table: string; rows(): Promise<Row[]> }> {
  const db = new Client({ connectionString: PG });
  await db.connect();
  const table = `bandmaster_fleet_${randomUUID().replace(/-/g, '')}`;
  await db.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, token bigint NOT NULL, pid int NOT NULL, at timestamptz NOT NULL)`);
  return {
    db,
    table,
    rows: async () =>
      (await db.query<{ token: string; pid: number; at: Date }>(`SELECT token, pid, at FROM ${table} ORDER BY id`)).rows.map((r) => ({ token: Number(r.token), pid: r.pid, at: r.at.getTime() })),
  };
}

function startReplica(engine: 'pg' | 'redis', key: string, table: string): Promise<ChildProcess> {
  const child = fork(REPLICA, [engine, key, table], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`replica exited with ${code} before it was ready`)));
  });
}

const until = async (what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Exactly one holder at any moment: rows never go back to an older token, and one pid per token. */
function assertNoOverlap(rows: readonly Row[]): void {
  const owner = new Map<number, number>();
  let newest = 0;
  for (const row of rows) {
    assert.ok(row.token >= newest, `token ${row.token} written after token ${newest}: two holders at once`);
    newest = row.token;
    assert.equal(owner.get(row.token) ?? row.pid, row.pid, `token ${row.token} held by two replicas`);
    owner.set(row.token, row.pid);
  }
}

async function failover(engine: 'pg' | 'redis'): Promise<number> {
  const { db, table, rows } = await journal();
  const key = `replicas-${randomUUID()}`;
  try {
    const replicas = await Promise.all([1, 2, 3, 4].map(() => startReplica(engine, key, table)));
    await until('a first holder', async () => (await rows()).length >= 5);
    const holderPid = (await rows()).at(-1)!.pid;
    const holder = replicas.find((r) => r.pid === holderPid)!;
    const killedAt = Date.now();
    holder.kill('SIGKILL');
    await until('a standby to take over', async () => (await rows()).some((r) => r.pid !== holderPid));
    const all = await rows();
    assertNoOverlap(all);
    const firstNew = all.find((r) => r.pid !== holderPid)!;
    assert.ok(firstNew.token > all.find((r) => r.pid === holderPid)!.token, 'the new holder has a larger fencing token');
    for (const replica of replicas) if (replica !== holder) replica.kill('SIGTERM');
    await until('every replica to stop', async () => children.size === 0);
    assertNoOverlap(await rows());
    return firstNew.at - killedAt;
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }
}

describe('lock engines across replica processes', () => {
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('runs the guarded work on exactly one of four PostgreSQL replicas, and a standby takes over at once after kill -9 of the holder', async () => {
    const ms = await failover('pg');
    console.log(`# PostgreSQL failover after kill -9: ${ms} ms`);
    assert.ok(ms < 2_000, `failover took ${ms} ms`);
  });

  it('runs the guarded work on exactly one of four Redis replicas, and a standby takes over within the lease after kill -9 of the holder', async () => {
    const ms = await failover('redis');
    console.log(`# Redis failover after kill -9 (lease 600 ms): ${ms} ms`);
    assert.ok(ms < 600 + 1_000, `failover took ${ms} ms`);
  });
});
