import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import Redis from 'ioredis';
import { Client } from 'pg';
import { Container } from '../../lib';
import { redis } from '../../providers/redis';
import { sql } from '../../providers/sql';

const PG = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CYCLES = 200;

/** What a run leaves on the servers: connections and advisory locks of its application name, and its Redis keys. */
async function footprint(db: Client, client: Redis, app: string, prefix: string): Promise<{ connections: number; locks: number; keys: string[] }> {
  const { rows } = await db.query<{ connections: string; locks: string }>(
    `SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = $1) AS connections,
            (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.application_name = $1) AS locks`,
    [app],
  );
  return { connections: Number(rows[0]?.connections), locks: Number(rows[0]?.locks), keys: (await client.keys(`bandmaster:*${prefix}*`)).sort() };
}

/**
 * 200 startAll/stopAll cycles of one container with an exclusive and a once service; every other
 * cycle the once record is deleted first, so the step runs again (its connection opened and ended).
 */
async function cycles(engine: 'pg' | 'redis', db: Client, client: Redis): Promise<void> {
  const app = `leak-${randomUUID().slice(0, 8)}`;
  const prefix = `leaks-${randomUUID()}`;
  const [exclusiveKey, onceKey] = [`${prefix}-relay`, `${prefix}-step`];
  const lock = engine === 'pg' ? sql({ name: 'lock', config: { url: `${PG}?application_name=${app}` } }) : redis({ name: 'lock', config: { uri: REDIS } });
  const c = new Container({ logger: false });
  let ran = 0;
  const tokens: number[] = [];
  c.register(
    lock,
    { name: 'relay', useFactory: () => ({}), exclusive: { lock: 'lock', key: exclusiveKey } },
    { name: 'step', useFactory: () => ({}), onStart: () => void ran++, once: { lock: 'lock', key: onceKey } },
  );
  c.events.on((e) => e.type === 'acquired' && e.service === 'relay' && void tokens.push(e.token));
  const before = await footprint(db, client, app, prefix);
  assert.deepEqual(before, { connections: 0, locks: 0, keys: [] });
  for (let i = 0; i < CYCLES; i++) {
    // the key is new, so the first cycle finds no record (and, on a new database, no table yet)
    if (i > 0 && i % 2 === 0) {
      if (engine === 'pg') await db.query('DELETE FROM bandmaster_once WHERE key = $1', [onceKey]);
      else await client.del(`bandmaster:once:${onceKey}`);
    }
    await c.startAll();
    assert.deepEqual(c.status().filter((s) => s.name !== 'lock').map((s) => s.state), ['started', 'started'], `cycle ${i}`);
    await c.stopAll();
    // checked after every stop, so that a connection or lease left by one cycle is seen at that cycle
    // a backend whose client has gone may still be listed for a few ms while it exits
    let now = await footprint(db, client, app, prefix);
    for (let wait = 0; wait < 40 && now.connections > 0; wait++) {
      await new Promise((r) => setTimeout(r, 5));
      now = await footprint(db, client, app, prefix);
    }
    assert.deepEqual([now.connections, now.locks, now.keys.includes(`bandmaster:lock:${exclusiveKey}`)], [0, 0, false], `after the stop of cycle ${i}`);
  }
  const after = await footprint(db, client, app, prefix);
  assert.equal(ran, CYCLES / 2, 'the once step ran on every cycle that found no record, and only then');
  assert.deepEqual(tokens, Array.from({ length: CYCLES }, (_, i) => i + 1), 'every cycle took the lock with the next fencing token');
  if (engine === 'pg') {
    assert.deepEqual(after, before, 'no connection and no advisory lock is left after 200 cycles');
    await db.query('DELETE FROM bandmaster_once WHERE key = $1', [onceKey]);
    await db.query('DELETE FROM bandmaster_lock_tokens WHERE key = $1', [exclusiveKey]);
  } else {
    // the fencing counter and the once record are the records a fleet keeps: no lease is left
    assert.deepEqual(after.keys, [`bandmaster:fence:${exclusiveKey}`, `bandmaster:once:${onceKey}`].sort(), 'no lease key is left after 200 cycles');
    await client.del(...after.keys);
  }
}

describe('exclusive and once options over many boots', () => {
  for (const engine of ['pg', 'redis'] as const) {
    it(`leaves the servers as it found them after ${CYCLES} startAll/stopAll cycles of a container with an exclusive and a once service (${engine})`, async () => {
      const db = new Client({ connectionString: PG });
      await db.connect();
      const client = new Redis(REDIS);
      try {
        const startedAt = performance.now();
        await cycles(engine, db, client);
        console.log(`# ${CYCLES} cycles on ${engine}: ${Math.round(performance.now() - startedAt)} ms`);
      } finally {
        await db.end();
        client.disconnect();
      }
    });
  }
});
