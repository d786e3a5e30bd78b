import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Redis from 'ioredis';
import { Client } from 'pg';

const PG = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPLICA = join(__dirname, 'fixtures', 'signal-replica.js');
const children = new Set<ChildProcess>();

interface Replica {
  readonly child: ChildProcess;
  /** What it wrote to stdout, line by line. */
  readonly lines: string[];
  /** Its `booted <state>` message. */
  readonly booted: Promise<string>;
  /** Its exit code. */
  readonly exited: Promise<number | null>;
}

function replica(engine: 'pg' | 'redis', key: string): Replica {
  const child = fork(REPLICA, [engine, key], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  children.add(child);
  const lines: string[] = [];
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (children.delete(child), resolve(code))));
  const booted = new Promise<string>((resolve) => {
    child.on('message', (m) => String(m).startsWith('booted') && resolve(String(m)));
    void exited.then((code) => resolve(`exit ${code}`));
  });
  return { child, lines, booted, exited };
}

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Backend pids holding the advisory lock of `key` (the engine's hash of it). */
async function lockHolders(db: Client, key: string): Promise<number[]> {
  const { rows } = await db.query<{ pid: number }>(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('bandmaster:' || $1::text, 0)",
    [key],
  );
  return rows.map((r) => r.pid);
}

/** SIGTERM to the holder; resolves to the ms until the standby acquired, after checking the holder's exit. */
async function handOver(holder: Replica, standby: Replica): Promise<number> {
  const sentAt = performance.now();
  holder.child.kill('SIGTERM');
  assert.equal(await holder.exited, 0, 'handleSignals exits 0 after a clean stop');
  await until('the standby to take the lock', () => standby.lines.includes('event acquired relay'));
  const ms = performance.now() - sentAt;
  const [stopping, released, lockStopping] = ['event stopping relay', 'event released relay', 'event stopping lock'].map((line) => holder.lines.indexOf(line)) as [number, number, number];
  assert.ok(stopping >= 0 && released > stopping && lockStopping > released, `the holder stopped the service and released its lock before its lock service stopped and it exited: ${holder.lines.join(', ')}`);
  return ms;
}

describe('handleSignals on a replica holding an exclusive lock', () => {
  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('releases the PostgreSQL advisory lock before the process exits, and a standby takes it at once', async () => {
    const db = new Client({ connectionString: PG });
    await db.connect();
    try {
      const key = `signals-${randomUUID()}`;
      const holder = replica('pg', key);
      assert.equal(await holder.booted, 'booted started');
      const standby = replica('pg', key);
      assert.equal(await standby.booted, 'booted standby');
      const [lockPid] = await lockHolders(db, key);
      assert.ok(lockPid !== undefined, 'the holder holds the advisory lock');
      const ms = await handOver(holder, standby);
      console.log(`# handleSignals, PostgreSQL: SIGTERM of the holder to the standby's acquired: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 2_000, `the standby took ${ms} ms`);
      const { rows } = await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $1", [lockPid]);
      assert.equal(rows.length, 0, 'no advisory lock of the holder is left');
      assert.notDeepEqual(await lockHolders(db, key), [lockPid]);
      standby.child.kill('SIGTERM');
      assert.equal(await standby.exited, 0);
      assert.deepEqual(await lockHolders(db, key), [], 'nobody holds the lock after the last replica stopped');
    } finally {
      await db.end();
    }
  });

  it('deletes the Redis lease before the process exits, so a standby takes over at once rather than after the 15 s lease', async () => {
    const client = new Redis(REDIS);
    try {
      const key = `signals-${randomUUID()}`;
      const holder = replica('redis', key);
      assert.equal(await holder.booted, 'booted started');
      const standby = replica('redis', key);
      assert.equal(await standby.booted, 'booted standby');
      const owner = await client.get(`bandmaster:lock:${key}`);
      assert.ok(owner !== null, 'the holder holds the lease');
      assert.ok((await client.pttl(`bandmaster:lock:${key}`)) > 10_000, 'the lease lasts 15 s');
      const ms = await handOver(holder, standby);
      console.log(`# handleSignals, Redis (lease 15 s): SIGTERM of the holder to the standby's acquired: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 2_000, `the standby took ${ms} ms: the lease was not released`);
      assert.notEqual(await client.get(`bandmaster:lock:${key}`), owner, 'the lease key now belongs to the standby');
      standby.child.kill('SIGTERM');
      assert.equal(await standby.exited, 0);
      assert.equal(await client.exists(`bandmaster:lock:${key}`), 0, 'no lease key is left after the last replica stopped');
      await client.del(`bandmaster:fence:${key}`);
    } finally {
      client.disconnect();
    }
  });
});
