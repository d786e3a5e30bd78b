import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';
import { deferred, turns, whenAborted } from '../../support/deferred';
import { assertBandmasterError, bootError, isError } from '../../support/errors';
import { FakeClock } from '../../support/fake-clock';
import { Journal, tracked, type TrackedInstance } from '../../support/journal';

describe('Container', () => {
  describe('startAll cancellation', () => {
    it('gives running attempts an aborted signal and fails every unstarted service with the abort as cause', async () => {
      const journal = new Journal();
      const controller = new AbortController();
      const reason = new Error('SIGINT');
      const seen = deferred<unknown>();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'A', { start: (signal) => whenAborted(signal).then((r) => (seen.resolve(r), Promise.reject(r))) }),
        tracked(journal, 'B', { deps: ['A'] }),
        tracked(journal, 'C', { deps: ['B'] }),
        tracked(journal, 'other'),
      );
      const boot = bootError(container.startAll({ signal: controller.signal }));
      await turns(2);
      controller.abort(reason);
      const error = await boot;
      assert.equal(await seen.promise, reason);
      for (const service of ['A', 'B', 'C']) {
        const failure = error.errors.find((e) => e.service === service);
        assertBandmasterError(failure, { kind: 'ServiceStartFailure', service });
        assert.equal(failure.cause, reason);
      }
      assert.equal(error.errors.length, 3);
      assert.deepEqual(journal.only('new '), ['new A', 'new other']);
      assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['A', 'failed'], ['B', 'failed'], ['C', 'failed'], ['other', 'started']]);
    });

    it('fails with a TimeoutError cause when the boot timeout passes', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'hang', useFactory: () => ({}), onStart: (_i: unknown, signal: AbortSignal) => whenAborted(signal) });
      const error = await bootError(container.startAll({ timeout: 20 }));
      assertBandmasterError(error.errors[0], { kind: 'ServiceStartFailure', service: 'hang' });
      assert.equal((error.errors[0].cause as DOMException).name, 'TimeoutError');
    });

    it('constructs and attempts nothing when the signal is already aborted', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'A'), tracked(journal, 'B', { deps: ['A'] }));
      const reason = new Error('already cancelled');
      const error = await bootError(container.startAll({ signal: AbortSignal.abort(reason) }));
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.cause, e.attempts]), [
        ['ServiceStartFailure', 'A', reason, 0],
        ['ServiceStartFailure', 'B', reason, 0],
      ]);
      assert.deepEqual(journal.entries, []);
    });

    it('ends a backoff sleep at once and makes no further attempt', async () => {
      const clock = new FakeClock();
      const controller = new AbortController();
      let attempts = 0;
      const container = new Container({ logger: false, clock });
      container.register({ name: 'flaky', useFactory: () => ({}), retries: 5, backoff: 1_000, onStart: () => Promise.reject(new Error(`attempt ${++attempts}`)) });
      const boot = bootError(container.startAll({ signal: controller.signal }));
      const sleep = await clock.nextSleep();
      controller.abort(new Error('stop waiting'));
      const error = await boot;
      assert.equal(sleep.outcome, 'aborted');
      assert.equal(attempts, 1);
      assertBandmasterError(error.errors[0], { kind: 'ServiceStartFailure', service: 'flaky', attempts: 1 });
      assert.equal((error.errors[0].cause as Error).message, 'stop waiting');
    });

    it('settles at once when a hook ignores its signal, and that hook resolving later never starts the service', async () => {
      const journal = new Journal();
      const stubborn = deferred();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'stubborn', { start: () => stubborn.promise }));
      const error = await bootError(container.startAll({ timeout: 10 }));
      assert.equal(stubborn.settled, false);
      assertBandmasterError(error.errors[0], { kind: 'ServiceStartFailure', service: 'stubborn' });
      stubborn.resolve();
      await turns(3);
      assert.equal(container.status()[0]!.state, 'failed');
      assert.throws(() => container.resolve('stubborn'), isError({ kind: 'ServiceNotStarted', service: 'stubborn' }));
      // the late instance is cleaned up: it must not stay connected behind the container's back
      assert.deepEqual(journal.entries, ['new stubborn', 'start stubborn', 'started stubborn', 'stop stubborn', 'stopped stubborn']);
    });

    it('leaves started services started after an abort, for stopAll to stop', async () => {
      const journal = new Journal();
      const controller = new AbortController();
      const apiIn = deferred();
      const container = new Container({ logger: false });
      const api = tracked(journal, 'api', { deps: ['db'], start: (signal) => (apiIn.resolve(), whenAborted(signal).then((r) => Promise.reject(r))) });
      container.register(tracked(journal, 'db'), api);
      const boot = bootError(container.startAll({ signal: controller.signal }));
      await apiIn.promise;
      controller.abort();
      await boot;
      assert.equal((container.resolve('db') as TrackedInstance).name, 'db');
      await container.stopAll();
      assert.deepEqual(journal.only('stop'), ['stop db', 'stopped db']);
    });

    it('lets the signal of a joining startAll cancel the running boot', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'hang', useFactory: () => ({}), onStart: (_i: unknown, signal: AbortSignal) => whenAborted(signal) });
      const first = bootError(container.startAll());
      const second = bootError(container.startAll({ signal: AbortSignal.abort(new Error('second caller gives up')) }));
      const [a, b] = await Promise.all([first, second]);
      assert.deepEqual([a.errors[0]?.kind, b.errors[0]?.kind], ['ServiceStartFailure', 'ServiceStartFailure']);
    });
  });
});
