import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import Redis from 'ioredis';
import { Client } from 'pg';
import { BootError, Container, DependsOn, Inject, Service, type BandmasterError, type LifecycleEvent } from '../../lib';
import { redis } from '../../providers/redis';
import { sql } from '../../providers/sql';

const PG = process.env.BANDMASTER_TEST_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BANDMASTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const registering = (make: () => unknown): BandmasterError => {
  try {
    make();
  } catch (err) {
    return err as BandmasterError;
  }
  throw new Error('registration did not throw');
};

async function bootErrors(container: Container): Promise<BandmasterError[]> {
  const err = await container.startAll().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BootError, 'startAll rejects with a BootError');
  return err.errors as BandmasterError[];
}

describe('exclusive and once options', () => {
  describe('registration', () => {
    it('rejects a service that is both exclusive and once', () => {
      const err = registering(() => new Container({ logger: false }).register({ name: 'x', useValue: 1, exclusive: { lock: 'db', key: 'k' }, once: { lock: 'db', key: 'k' } }));
      assert.equal(err.kind, 'InvalidDefinition');
      assert.equal(err.service, 'x');
    });

    it('rejects a key that is empty, too long or not a string, a bad lock token and a lease under 30 ms', () => {
      for (const exclusive of [{ lock: 'db', key: '' }, { lock: 'db', key: 'k'.repeat(201) }, { lock: 'db', key: 7 }, { lock: 42, key: 'k' }, { lock: 'db', key: 'k', leaseMs: 5 }]) {
        const err = registering(() => new Container({ logger: false }).register({ name: 'x', useValue: 1, exclusive } as never));
        assert.equal(err.kind, 'InvalidDefinition', JSON.stringify(exclusive));
      }
    });

    it('rejects the options on a transient or scoped service', () => {
      const err = registering(() => new Container({ logger: false }).register({ name: 'x', useFactory: () => 1, scope: 'transient', once: { lock: 'db', key: 'k' } }));
      assert.equal(err.kind, 'InvalidDefinition');
    });

    it('takes the options from @Service, from definitions and from provider factories', () => {
      @Service({ once: { lock: 'db', key: 'k1' } })
      class Step {}
      const c = new Container({ logger: false });
      c.register(sql({ name: 'db', config: { url: PG } }), Step, { name: 'relay', useFactory: () => ({}), exclusive: { lock: 'db', key: 'k2' } }, redis({ name: 'cache', config: { uri: REDIS }, exclusive: { lock: 'db', key: 'k3' } }));
      const deps = new Map(c.graph().edges.map((e) => [`${e.from}->${e.to}`, e]));
      for (const name of ['Step', 'relay', 'cache']) assert.ok([...deps.keys()].some((k) => k.includes(name) && k.includes('db')), `${name} depends on its lock service`);
    });
  });

  describe('validation', () => {
    it('reports a lock service that is not registered', async () => {
      const c = new Container({ logger: false }).register({ name: 'relay', useValue: {}, exclusive: { lock: 'nope', key: 'k' } });
      const errors = await bootErrors(c);
      const err = errors.find((e) => e.kind === 'InvalidDefinition');
      assert.ok(err);
      assert.equal(err.service, 'relay');
      assert.match(err.message, /nope/);
    });

    it('reports a lock service that is not a sql or redis provider service', async () => {
      const c = new Container({ logger: false }).register({ name: 'db', useValue: {} }, { name: 'relay', useValue: {}, exclusive: { lock: 'db', key: 'k' } });
      const errors = await bootErrors(c);
      assert.deepEqual(errors.map((e) => [e.kind, e.service]), [['InvalidDefinition', 'relay']]);
    });

    it('reports a once service that another service injects, naming the injecting service', async () => {
      @Service({ once: { lock: 'db', key: 'k' } })
      class Migrations {}
      @Service()
      class Api {
        constructor(readonly m: Migrations) {}
      }
      const c = new Container({ logger: false }).register(sql({ name: 'db', config: { url: PG } }), Migrations, Api);
      const errors = await bootErrors(c);
      assert.deepEqual(errors.map((e) => [e.kind, e.service]), [['InvalidDefinition', 'Api']]);
      assert.equal(c.status().find((s) => s.name === 'db')?.state, 'idle', 'nothing started');
    });

    it('accepts a once service as a @DependsOn start-order dependency', async () => {
      const key = `spec-${randomUUID()}`;
      @Service({ once: { lock: 'db', key } })
      class Migrations {}
      @Service()
      @DependsOn(Migrations)
      class Api {
        constructor(@Inject('db') readonly db: unknown) {}
      }
      const c = new Container({ logger: false }).register(sql({ name: 'db', config: { url: PG } }), Migrations, Api);
      await c.startAll();
      assert.equal(c.status().find((s) => s.name === 'Migrations')?.state, 'started');
      await c.stopAll();
    });
  });

  for (const engine of ['sql', 'redis'] as const) {
    const lock = (): ReturnType<typeof sql> | ReturnType<typeof redis> => (engine === 'sql' ? sql({ name: 'lock', config: { url: PG } }) : redis({ name: 'lock', config: { uri: REDIS } }));

    describe(`two containers in one process (${engine})`, () => {
      it('runs a once start on one of them; the other ends started after it, and a later boot skips it', async () => {
        const key = `spec-${randomUUID()}`;
        let runs = 0;
        const make = (): Container =>
          new Container({ logger: false }).register(lock(), {
            name: 'migrate',
            useFactory: async () => {
              runs++;
              await new Promise((r) => setTimeout(r, 100));
              return {};
            },
            once: { lock: 'lock', key },
          });
        const [a, b] = [make(), make()];
        await Promise.all([a.startAll(), b.startAll()]);
        assert.equal(runs, 1);
        for (const c of [a, b]) assert.equal(c.status().find((s) => s.name === 'migrate')?.state, 'started');
        const later = make();
        await later.startAll();
        assert.equal(runs, 1, 'a later boot skips it');
        await Promise.all([a.stopAll(), b.stopAll(), later.stopAll()]);
      });

      it('starts an exclusive service on one holder, keeps the other on standby (healthy, its dependents too), and the standby takes over when the holder stops', async () => {
        const key = `spec-${randomUUID()}`;
        const running = new Set<string>();
        const make = (id: string): { c: Container; events: LifecycleEvent[] } => {
          const events: LifecycleEvent[] = [];
          const c = new Container({ logger: false }).register(
            lock(),
            { name: 'relay', useFactory: () => ({ id }), onStart: () => void running.add(id), onStop: () => void running.delete(id), exclusive: { lock: 'lock', key, leaseMs: 600 } },
            { name: 'reader', useFactory: (relay: unknown) => ({ relay }), deps: ['relay'] },
          );
          c.events.on((e) => events.push(e));
          return { c, events };
        };
        const a = make('a');
        await a.c.startAll();
        const b = make('b');
        const report = await b.c.startAll();
        assert.deepEqual([...running], ['a']);
        assert.equal(report.services.find((s) => s.name === 'relay')?.state, 'standby');
        assert.equal(b.c.status().find((s) => s.name === 'reader')?.state, 'standby', 'its required dependent stands by too');
        assert.equal((await b.c.health()).healthy, true, 'a standby replica is ready');
        const acquiredA = a.events.find((e) => e.type === 'acquired');
        assert.ok(acquiredA && acquiredA.type === 'acquired' && acquiredA.token >= 1);
        assert.ok(b.events.some((e) => e.type === 'standby' && e.service === 'relay'));
        const taken = b.c.ready('reader');
        await a.c.stopAll();
        assert.ok(a.events.some((e) => e.type === 'released'), 'the holder released its lock on stopAll');
        await taken;
        assert.deepEqual([...running], ['b']);
        const acquiredB = b.events.find((e) => e.type === 'acquired');
        assert.ok(acquiredB && acquiredB.type === 'acquired' && acquiredB.token > acquiredA.token, 'the new holder has a larger fencing token');
        await b.c.stopAll();
        assert.deepEqual([...running], []);
      });
    });
  }

  describe('a holder whose lease is lost', () => {
    const holder = (make: () => ReturnType<typeof sql> | ReturnType<typeof redis>, key: string): { c: Container; running: () => boolean; events: LifecycleEvent[] } => {
      let running = false;
      const events: LifecycleEvent[] = [];
      const c = new Container({ logger: false }).register(
        make(),
        { name: 'relay', useFactory: () => ({}), onStart: () => void (running = true), onStop: () => void (running = false), exclusive: { lock: 'lock', key, leaseMs: 300 } },
        { name: 'reader', useFactory: (relay: unknown) => ({ relay }), deps: ['relay'] },
      );
      c.events.on((e) => events.push(e));
      return { c, running: () => running, events };
    };
    const next = (events: LifecycleEvent[], type: LifecycleEvent['type'], service: string, from: number): Promise<void> =>
      new Promise((resolve) => {
        const tick = (): void => (events.slice(from).some((e) => e.type === type && e.service === service) ? resolve() : void setTimeout(tick, 10));
        tick();
      });

    it('stops its instance and its dependent and stands by when another holder took the Redis key, then takes over again when the key is free', async () => {
      const key = `spec-${randomUUID()}`;
      const h = holder(() => redis({ name: 'lock', config: { uri: REDIS } }), key);
      await h.c.startAll();
      assert.equal(h.running(), true);
      const other = new Redis(REDIS);
      await other.set(`bandmaster:lock:${key}`, 'someone-else', 'PX', 400);
      const mark = h.events.length;
      await next(h.events, 'standby', 'reader', mark);
      assert.equal(h.running(), false, 'the lost holder stopped its instance');
      assert.deepEqual(['relay', 'reader'].map((n) => h.c.status().find((s) => s.name === n)?.state), ['standby', 'standby']);
      await h.c.ready('reader', { signal: AbortSignal.timeout(5_000) });
      assert.equal(h.running(), true, 'it took over again once the other lease expired');
      await h.c.stopAll();
      assert.equal(await other.exists(`bandmaster:lock:${key}`), 0);
      other.disconnect();
    });

    it('stands by when its PostgreSQL lock connection is killed, and takes the lock again on a new connection', async () => {
      const key = `spec-${randomUUID()}`;
      const h = holder(() => sql({ name: 'lock', config: { url: PG, applicationName: 'fleet-spec-holder' } }), key);
      await h.c.startAll();
      const admin = new Client({ connectionString: PG });
      await admin.connect();
      const mark = h.events.length;
      await admin.query("SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.pid IN (SELECT pid FROM pg_stat_activity WHERE application_name = 'fleet-spec-holder')");
      await next(h.events, 'standby', 'relay', mark);
      await next(h.events, 'started', 'reader', mark);
      assert.equal(h.running(), true);
      await h.c.stopAll();
      try {
        // the server drops an ended backend from pg_stat_activity a moment after the client closed it
        let left = -1;
        for (let i = 0; i < 100 && left !== 0; i++, await new Promise((r) => setTimeout(r, 20))) {
          left = Number((await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'fleet-spec-holder'")).rows[0]?.n);
        }
        assert.equal(left, 0, 'no connection is left after stopAll');
      } finally {
        await admin.end();
      }
    });
  });
});
