import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type Pool } from 'pg';
import { Container } from '../../../lib';
import { sql } from '../../../providers/sql';
import { nextEvent } from './next-event';

const SHARED = 'postgres://postgres@127.0.0.1:5432/postgres';
const CYCLES = 200;

/** Backends of `applicationName` on the shared server (this spec's own pool only). */
async function backends(admin: Client, applicationName: string): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  return rows.map((r) => r.pid);
}

/** Handles and requests of this process by kind, as Node lists them. */
function resources(): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) out.set(kind, (out.get(kind) ?? 0) + 1);
  return out;
}

describe('supervision of the sql provider: connections lost again and again', () => {
  it(`restarts the pool after each of ${CYCLES} terminations of its connections, and leaves no backend, handle or timer behind`, { timeout: 120_000 }, async () => {
    const applicationName = `bandmaster-leak-${process.pid}-${Date.now()}`;
    const admin = new Client({ connectionString: SHARED });
    await admin.connect();
    const before = resources();
    const container = new Container({ logger: false });
    container.register(sql({ name: 'pg-leak', config: { url: SHARED, applicationName }, retries: 100, backoff: { initial: 5, max: 20 }, restart: { maxRestarts: CYCLES * 2, withinMs: 600_000 } }));
    try {
      await container.startAll();
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const restarted = nextEvent(container, 'restarted', 'pg-leak');
        const pids = await backends(admin, applicationName);
        assert.ok(pids.length >= 1, `cycle ${cycle}: the pool has a connection`);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
        await restarted;
        // the old pool ended: at most the fresh pool's connections remain
        const after = await backends(admin, applicationName);
        assert.ok(after.every((pid) => !pids.includes(pid)), `cycle ${cycle}: a terminated backend is still listed`);
        assert.ok(after.length <= 1, `cycle ${cycle}: ${after.length} backends of the pool, at most 1 expected`);
      }
      assert.equal((await container.resolve<Pool>('pg-leak').query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
      assert.equal(container.status()[0]?.restarts, CYCLES);
      await container.stopAll({ timeout: 5_000 });
      // back to the baseline: no backend of the pool, and this process holds what it held before the boot
      for (let i = 0; i < 50 && (await backends(admin, applicationName)).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(await backends(admin, applicationName), []);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = resources();
      for (const [kind, count] of now) assert.ok(count <= (before.get(kind) ?? 0), `${kind}: ${count} active after stopAll, ${before.get(kind) ?? 0} before the boot`);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await admin.end();
    }
  });
});
