import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client, type Pool } from 'pg';
import { Container, type LifecycleEvent } from '../../../lib';
import { sql } from '../../../providers/sql';
import { TcpProxy, freePort } from '../../faults/support/servers';
import { nextEvent } from './next-event';

const RESTART = { retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } } as const;
const SHARED = 'postgres://postgres@127.0.0.1:5432/postgres';

function record(container: Container): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  container.events.on((e) => void seen.push(e));
  return seen;
}

/** Terminates the backends of `applicationName` only: the shared server's other clients are untouched. */
async function terminateBackends(applicationName: string): Promise<number> {
  const admin = new Client({ connectionString: SHARED });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [applicationName]);
    return rows.filter((r) => r.ok).length;
  } finally {
    await admin.end();
  }
}

describe('supervision of the sql provider against PostgreSQL', () => {
  it('marks the pool lost when the server becomes unreachable, and restarts it and its dependent once it is back', { timeout: 30_000 }, async () => {
    const proxy = new TcpProxy(await freePort(), 5432);
    await proxy.restore();
    const container = new Container({ logger: false });
    container.register(
      sql({ name: 'pg-sup', config: { url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, connectTimeout: 1_000 }, ...RESTART }),
      { name: 'repo', deps: ['pg-sup'], useFactory: (pool: Pool) => ({ pool }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<Pool>('pg-sup');
      const lost = nextEvent(container, 'lost', 'pg-sup');
      const restarted = nextEvent(container, 'restarted', 'pg-sup', 20_000);
      await proxy.cut();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /no usable connection left/);
      await proxy.restore();
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<Pool>('pg-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ pool: Pool }>('repo').pool, fresh);
      assert.equal((await fresh.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
      assert.equal(container.status().find((s) => s.name === 'pg-sup')?.restarts, 1);
      process.stdout.write(`# sql restarted ${Math.round(ms)} ms after its server was reachable again\n`);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      await proxy.cut();
    }
  });

  it('marks the pool lost when the server terminates every one of its connections, and restarts it', { timeout: 30_000 }, async () => {
    const applicationName = `bandmaster-sup-${process.pid}-${Date.now()}`;
    const container = new Container({ logger: false });
    container.register(sql({ name: 'pg-sup', config: { url: SHARED, applicationName }, ...RESTART }));
    const seen = record(container);
    try {
      await container.startAll();
      const first = container.resolve<Pool>('pg-sup');
      const lost = nextEvent(container, 'lost', 'pg-sup');
      const restarted = nextEvent(container, 'restarted', 'pg-sup');
      assert.equal(await terminateBackends(applicationName), 1);
      await lost;
      await restarted;
      const fresh = container.resolve<Pool>('pg-sup');
      assert.notEqual(fresh, first);
      assert.equal((await fresh.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
      await container.stopAll({ timeout: 5_000 });
      assert.equal(seen.filter((e) => e.type === 'lost').length, 1, 'the container ending its own pool is no loss');
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
    }
  });

  it('keeps the pool when the server drops one of its connections while another is still open', { timeout: 30_000 }, async () => {
    const applicationName = `bandmaster-sup-${process.pid}-${Date.now()}`;
    const container = new Container({ logger: false });
    container.register(sql({ name: 'pg-sup', config: { url: SHARED, applicationName } }));
    const seen = record(container);
    try {
      await container.startAll();
      const pool = container.resolve<Pool>('pg-sup');
      const held = await pool.connect();
      const idle = await pool.connect();
      const idlePid = (idle as unknown as { processID: number }).processID;
      idle.release();
      const admin = new Client({ connectionString: SHARED });
      await admin.connect();
      const dropped = new Promise((resolve) => pool.once('error', resolve));
      try {
        // the idle connection goes; the checked-out one stays
        await admin.query('SELECT pg_terminate_backend($1)', [idlePid]);
      } finally {
        await admin.end();
      }
      await dropped;
      held.release();
      assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
      assert.equal(seen.filter((e) => e.type === 'lost').length, 0);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
    }
  });

  it('marks the pool lost when the application ends it', { timeout: 30_000 }, async () => {
    const container = new Container({ logger: false });
    container.register(sql({ name: 'pg-sup', config: { url: SHARED } }));
    try {
      await container.startAll();
      const lost = nextEvent(container, 'lost', 'pg-sup');
      await container.resolve<Pool>('pg-sup').end();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /ended by the application/);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
    }
  });
});
