import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, healthHandler, probeReadiness } from '../../../lib';
import { deferred, type Deferred } from '../../support/deferred';
import { get, serve } from './http-support';

/** A check that counts its runs and settles when the test opens `gate`. */
function gatedCheck(gate: Deferred<void>, runs: Map<string, number>, name: string): () => Promise<void> {
  return async () => {
    runs.set(name, (runs.get(name) ?? 0) + 1);
    await gate.promise;
  };
}

/** A start that waits for the test's latch, replaced for every start. */
class StartLatch {
  gate = deferred();
  readonly start = (): Promise<object> => this.gate.promise.then(() => ({}));
}

describe('healthHandler', () => {
  describe('coalesced readiness', () => {
    it('runs each check once for 20 concurrent /readyz, and again for a probe after that round', async () => {
      const gate = deferred();
      const runs = new Map<string, number>();
      const container = new Container({ logger: false });
      container.register(
        { name: 'db', useFactory: () => ({}), healthCheck: gatedCheck(gate, runs, 'db') },
        { name: 'cache', useFactory: () => ({}), healthCheck: gatedCheck(gate, runs, 'cache') },
      );
      await container.startAll();
      const handler = healthHandler(container, { timeout: 10_000 });
      let arrived = 0;
      // the checks hang until all 20 requests have reached the handler: every probe finds the round in flight
      const base = await serve((req, res) => {
        if (++arrived === 20) setImmediate(() => gate.resolve());
        handler(req, res);
      });
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${base}/readyz`)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.deepEqual(Object.fromEntries(runs), { db: 1, cache: 1 });
      assert.equal((await get(`${base}/readyz`)).status, 200);
      assert.deepEqual(Object.fromEntries(runs), { db: 2, cache: 2 });
      await container.stopAll();
    });

    it('gives every probe of a shared round the same answer when the check fails', async () => {
      const gate = deferred();
      let runs = 0;
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), healthCheck: () => (runs++, gate.promise.then(() => Promise.reject(new Error('connection lost')))) });
      await container.startAll();
      const handler = healthHandler(container, { details: true, timeout: 10_000 });
      let arrived = 0;
      const base = await serve((req, res) => {
        if (++arrived === 5) setImmediate(() => gate.resolve());
        handler(req, res);
      });
      const answers = await Promise.all(Array.from({ length: 5 }, () => get(`${base}/readyz`)));
      assert.equal(runs, 1);
      for (const a of answers) {
        assert.equal(a.status, 503);
        assert.deepEqual(a.body?.['services'], [{ name: 'db', state: 'started', required: true, healthy: false, error: 'connection lost' }]);
      }
      await container.stopAll();
    });

    it('runs its own round for a probeReadiness call with a signal', async () => {
      let runs = 0;
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), healthCheck: () => void runs++ });
      await container.startAll();
      const signal = new AbortController().signal;
      const [a, b] = await Promise.all([probeReadiness(container, { signal }), probeReadiness(container, { signal })]);
      assert.equal(a.ready && b.ready, true);
      assert.equal(runs, 2);
      await container.stopAll();
    });
  });

  describe('/startupz', () => {
    it('answers 503 before and during the first boot, then 200 for good: through a restart and a stop', async () => {
      const db = new StartLatch();
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: db.start }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
      const base = await serve(healthHandler(container));
      assert.deepEqual(await get(`${base}/startupz`), { status: 503, body: { status: 'starting' } });
      const booting = container.startAll();
      assert.equal((await get(`${base}/startupz`)).status, 503);
      db.gate.resolve();
      await booting;
      assert.deepEqual(await get(`${base}/startupz`), { status: 200, body: { status: 'started' } });
      db.gate = deferred();
      const restarting = container.restart('db');
      assert.equal((await get(`${base}/startupz`)).status, 200);
      assert.equal((await get(`${base}/readyz`)).status, 503);
      db.gate.resolve();
      await restarting;
      await container.stopAll();
      assert.equal((await get(`${base}/startupz`)).status, 200);
    });

    it('stays 503 when a required service failed the boot, and turns 200 once a later boot succeeds', async () => {
      let up = false;
      const container = new Container({ logger: false });
      container.register(
        { name: 'db', useFactory: () => (up ? {} : Promise.reject(new Error('ECONNREFUSED'))) },
        { name: 'metrics', required: false, useFactory: () => Promise.reject(new Error('no exporter')) },
      );
      const base = await serve(healthHandler(container));
      await assert.rejects(container.startAll(), BootError);
      assert.equal((await get(`${base}/startupz`)).status, 503);
      up = true;
      await container.startAll().catch((err: unknown) => assert.fail(String(err)));
      // the optional service failed again: it does not hold the startup probe
      assert.equal(container.status().find((s) => s.name === 'metrics')?.state, 'failed');
      assert.equal((await get(`${base}/startupz`)).status, 200);
      await container.stopAll();
    });

    it('counts a boot that no probe saw once its services stop', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
      const handler = healthHandler(container);
      await container.startAll();
      await container.stopAll();
      const base = await serve(handler);
      assert.equal((await get(`${base}/startupz`)).status, 200);
    });

    it('counts a boot that no probe saw when a restart is still starting the service at the first probe', async () => {
      const db = new StartLatch();
      db.gate.resolve();
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: db.start }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
      const base = await serve(healthHandler(container));
      await container.startAll();
      db.gate = deferred();
      const restarting = container.restart('db');
      while (container.status()[0]?.state !== 'starting') await new Promise((r) => setTimeout(r, 5));
      assert.equal((await get(`${base}/startupz`)).status, 200);
      db.gate.resolve();
      await restarting;
      await container.stopAll();
    });

    it('answers on its own path, and HEAD without a body', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}) });
      await container.startAll();
      const base = await serve(healthHandler(container, { startupPath: '/started' }));
      assert.equal((await get(`${base}/startupz`)).status, 404);
      assert.equal((await get(`${base}/started?probe=1`)).status, 200);
      const head = await fetch(`${base}/started`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      assert.equal((await get(`${base}/started`, { method: 'POST' })).status, 405);
      await container.stopAll();
    });
  });

  describe('restarts', () => {
    it('shows how many times a service was restarted in the readiness details', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
      await container.startAll();
      await container.restart('db');
      await container.restart('db');
      const base = await serve(healthHandler(container, { details: true }));
      assert.deepEqual((await get(`${base}/readyz`)).body?.['services'], [
        { name: 'db', state: 'started', required: true, healthy: true, restarts: 2 },
        { name: 'api', state: 'started', required: true, healthy: true },
      ]);
      await container.stopAll();
    });
  });
});
