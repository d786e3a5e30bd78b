import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from 'pg';

const PG = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REPLICA = join(__dirname, 'fixtures', 'once-replica.js');
const children = new Set<ChildProcess>();

interface Replica {
  readonly child: ChildProcess;
  readonly messages: string[];
  readonly outcome: Promise<string>;
}

function boot(engine: 'pg' | 'redis', key: string, table: string, stepMs: number): Promise<Replica> {
  const child = fork(REPLICA, [engine, key, table, String(stepMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  const messages: string[] = [];
  const outcome = new Promise<string>((resolve) => {
    child.on('message', (m) => {
      messages.push(String(m));
      if (m === 'ran' || m === 'skipped') resolve(String(m));
    });
    child.once('exit', (code, sig) => {
      children.delete(child);
      resolve(`exit ${code ?? sig}`);
    });
  });
  return new Promise((resolve) => child.once('message', () => resolve({ child, messages, outcome })));
}

async function withTable<T>(body: (table: string, count: () => Promise<number>) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: PG });
  await db.connect();
  const table = `bandmaster_once_${randomUUID().replace(/-/g, '')}`;
  await db.query(`CREATE TABLE ${table} (pid int NOT NULL)`);
  try {
    return await body(table, async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n));
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }
}

describe('runOnce across replica processes', () => {
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  for (const engine of ['pg', 'redis'] as const) {
    it(`runs a step once when five replicas boot at the same time (${engine}), all five finish after it, and a second deploy skips it`, async () => {
      await withTable(async (table, count) => {
        const key = `once-${randomUUID()}`;
        const replicas = await Promise.all([1, 2, 3, 4, 5].map(() => boot(engine, key, table, 200)));
        const outcomes = await Promise.all(replicas.map((r) => r.outcome));
        assert.deepEqual([...outcomes].sort(), ['ran', 'skipped', 'skipped', 'skipped', 'skipped']);
        assert.equal(await count(), 1);
        const again = await boot(engine, key, table, 200);
        assert.equal(await again.outcome, 'skipped');
        assert.equal(await count(), 1);
      });
    });

    it(`runs the step again on the next replica when its runner is killed mid-way (${engine})`, async () => {
      await withTable(async (table, count) => {
        const key = `once-${randomUUID()}`;
        const first = await boot(engine, key, table, 60_000);
        while (!first.messages.includes('running')) await new Promise((r) => setTimeout(r, 10));
        const second = await boot(engine, key, table, 100);
        first.child.kill('SIGKILL');
        assert.equal(await second.outcome, 'ran');
        assert.equal(await count(), 1);
      });
    });
  }
});
