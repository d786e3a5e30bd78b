import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, ShutdownError } from '../../../lib';
import { deferred, turns, whenAborted } from '../../support/deferred';
import { bootError } from '../../support/errors';
import { Journal, tracked, type TrackedInstance } from '../../support/journal';

const states = (container: Container): string[] => container.status().map((s) => `${s.name}:${s.state}`);

/** A -> B -> C plus an unrelated D, each hook taking a turn of the event loop. */
function registerChain(container: Container, journal: Journal): void {
  const slow = { start: () => turns(1), stop: () => turns(1) };
  container.register(
    tracked(journal, 'A', slow),
    tracked(journal, 'B', { ...slow, deps: ['A'] }),
    tracked(journal, 'C', { ...slow, deps: ['B', 'A'] }),
    tracked(journal, 'D', slow),
  );
}

describe('Container', () => {
  describe('idempotence and concurrency', () => {
    it('changes nothing for started services when startAll runs again', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      registerChain(container, journal);
      await container.startAll();
      const first = container.resolve('C');
      const report = await container.startAll();
      assert.equal(container.resolve('C'), first);
      assert.equal(journal.count('new C'), 1);
      assert.equal(journal.count('start A'), 1);
      assert.deepEqual(report.services.map((s) => s.state), ['started', 'started', 'started', 'started']);
    });

    it('tries the services that failed again when startAll runs again, keeping started ones', async () => {
      const journal = new Journal();
      let down = true;
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db', { start: () => (down ? Promise.reject(new Error('down')) : undefined) }),
        tracked(journal, 'api', { deps: ['db'] }),
        tracked(journal, 'clock'),
      );
      await bootError(container.startAll());
      down = false;
      const report = await container.startAll();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(journal.only('new '), ['new db', 'new clock', 'new db', 'new api']);
    });

    it('stops each service once when stopAll runs twice', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      registerChain(container, journal);
      await container.startAll();
      await container.stopAll();
      const report = await container.stopAll();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(['A', 'B', 'C', 'D'].map((n) => journal.count(`stop ${n}`)), [1, 1, 1, 1]);
    });

    it('starts again after stopAll, with fresh instances', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      registerChain(container, journal);
      await container.startAll();
      const first = container.resolve('C') as TrackedInstance;
      await container.stopAll();
      await container.startAll();
      const second = container.resolve('C') as TrackedInstance;
      assert.notEqual(second, first);
      assert.deepEqual([first.serial, second.serial], [1, 2]);
      assert.equal(second.deps[0], container.resolve('B'));
      assert.deepEqual(states(container), ['A:started', 'B:started', 'C:started', 'D:started']);
    });

    it('joins a running boot from a second startAll', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      registerChain(container, journal);
      const [a, b] = await Promise.all([container.startAll(), container.startAll()]);
      assert.deepEqual(a.services.map((s) => s.state), b.services.map((s) => s.state));
      assert.equal(journal.count('new C'), 1);
    });

    it('aborts a running boot from stopAll, then stops what started', async () => {
      const journal = new Journal();
      const apiIn = deferred();
      let apiSignal: AbortSignal | undefined;
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db'),
        tracked(journal, 'api', { deps: ['db'], start: (signal) => ((apiSignal = signal), apiIn.resolve(), whenAborted(signal).then((r) => Promise.reject(r))) }),
        tracked(journal, 'worker', { deps: ['api'] }),
      );
      const boot = container.startAll().then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await apiIn.promise;
      const report = await container.stopAll();
      assert.equal(apiSignal?.aborted, true);
      assert.deepEqual(report.errors, []);
      assert.deepEqual(states(container), ['db:stopped', 'api:stopped', 'worker:stopped']);
      assert.deepEqual(journal.only('stop'), ['stop db', 'stopped db']);
      assert.equal(journal.count('new worker'), 0);
      const outcome = await boot;
      assert.ok(outcome instanceof BootError, `the interrupted startAll rejects, got ${String(outcome)}`);
    });

    it('leaves every service started once and the same instances to 50 concurrent startAll callers', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      registerChain(container, journal);
      const reports = await Promise.all(Array.from({ length: 50 }, () => container.startAll()));
      assert.ok(reports.every((r) => r.errors.length === 0));
      assert.deepEqual(['A', 'B', 'C', 'D'].map((n) => journal.count(`start ${n}`)), [1, 1, 1, 1]);
      await Promise.all(Array.from({ length: 50 }, () => container.stopAll()));
      assert.deepEqual(['A', 'B', 'C', 'D'].map((n) => journal.count(`stop ${n}`)), [1, 1, 1, 1]);
      assert.deepEqual(states(container), ['A:stopped', 'B:stopped', 'C:stopped', 'D:stopped']);
    });

    it('stays coherent under 50 concurrent callers mixing startAll and stopAll, and ends in the state of the last call', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      registerChain(container, journal);
      const calls = Array.from({ length: 50 }, async (_, i) => {
        await turns(i % 7);
        return i % 3 === 0 ? container.stopAll() : container.startAll();
      });
      const outcomes = await Promise.allSettled(calls);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof BootError || outcome.reason instanceof ShutdownError, String(outcome.reason));
      }
      await container.startAll();
      assert.deepEqual(states(container), ['A:started', 'B:started', 'C:started', 'D:started']);
      await container.stopAll();
      assert.deepEqual(states(container), ['A:stopped', 'B:stopped', 'C:stopped', 'D:stopped']);
      await turns(3);
      // every instance whose start completed was stopped exactly once, late ones included
      for (const name of ['A', 'B', 'C', 'D']) assert.equal(journal.count(`stopped ${name}`), journal.count(`started ${name}`), name);
    });
  });
});
