import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, type OnStart, type OnStop } from '../../../lib';
import { whenAborted } from '../../support/deferred';
import { assertBandmasterError, bootError, shutdownError } from '../../support/errors';
import { Journal, tracked } from '../../support/journal';

const isTimeout = (error: unknown): boolean => error instanceof DOMException && error.name === 'TimeoutError';

describe('Container', () => {
  describe('startTimeout', () => {
    it('aborts each start attempt that outlives it, retries, and fails with a TimeoutError cause', async () => {
      const signals: AbortSignal[] = [];
      @Service({ startTimeout: 10, retries: 1 })
      class Slow implements OnStart {
        onStart(signal: AbortSignal): Promise<unknown> {
          signals.push(signal);
          return whenAborted(signal).then((reason) => Promise.reject(reason));
        }
      }
      const container = new Container({ logger: false });
      container.register(Slow);
      const error = await bootError(container.startAll());
      assertBandmasterError(error.errors[0], { kind: 'ServiceStartFailure', service: 'Slow', attempts: 2 });
      assert.ok(isTimeout(error.errors[0].cause));
      assert.equal(signals.length, 2);
      assert.ok(signals.every((s) => s.aborted && isTimeout(s.reason)));
    });

    it('fails an attempt that ignores its signal once the time is up', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'deaf', startTimeout: 5, useFactory: () => ({}), onStart: () => new Promise(() => undefined) });
      const error = await bootError(container.startAll());
      assertBandmasterError(error.errors[0], { kind: 'ServiceStartFailure', service: 'deaf', attempts: 1 });
      assert.ok(isTimeout(error.errors[0].cause));
    });

    it('leaves an attempt that finishes in time alone', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'quick', { startTimeout: 60_000 }));
      await container.startAll();
      assert.deepEqual(journal.entries, ['new quick', 'start quick', 'started quick']);
    });
  });

  describe('stopTimeout', () => {
    it('fails a stop attempt that outlives it with a TimeoutError cause, keeping the service started', async () => {
      @Service({ stopTimeout: 10 })
      class Stuck implements OnStop {
        onStop(signal: AbortSignal): Promise<unknown> {
          return whenAborted(signal).then((reason) => Promise.reject(reason));
        }
      }
      const container = new Container({ logger: false });
      container.register(Stuck);
      await container.startAll();
      const error = await shutdownError(container.stopAll());
      assertBandmasterError(error.errors[0], { kind: 'ServiceStopFailure', service: 'Stuck', attempts: 1 });
      assert.ok(isTimeout(error.errors[0].cause));
      assert.ok(container.resolve(Stuck) instanceof Stuck);
    });

    it('bounds the whole shutdown with the stopAll timeout', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'deaf', useFactory: () => ({}), onStop: () => new Promise(() => undefined) });
      await container.startAll();
      const error = await shutdownError(container.stopAll({ timeout: 10 }));
      assertBandmasterError(error.errors[0], { kind: 'ServiceStopFailure', service: 'deaf' });
      assert.ok(isTimeout(error.errors[0].cause));
      assert.equal(container.status()[0]!.state, 'started');
    });
  });
});
