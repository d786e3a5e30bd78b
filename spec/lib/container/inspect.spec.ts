import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service } from '../../../lib';
import { deferred, turns } from '../../support/deferred';
import { isError, shutdownError } from '../../support/errors';
import { FakeClock } from '../../support/fake-clock';

describe('Container', () => {
  describe('resolve', () => {
    it('throws ServiceNotStarted before start and ServiceUnknown for unknown tokens', () => {
      @Service()
      class Db {}
      const container = new Container({ logger: false });
      container.register(Db);
      assert.throws(() => container.resolve(Db), isError({ kind: 'ServiceNotStarted', service: 'Db' }));
      assert.throws(() => container.resolve('nope'), isError({ kind: 'ServiceUnknown', service: 'nope' }));
    });
  });

  describe('get', () => {
    it('returns the instance once there is one, and undefined otherwise, without throwing', async () => {
      const gate = deferred();
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({ db: true }) }, { name: 'api', useFactory: () => ({ api: true }), deps: ['db'], onStart: () => gate.promise });
      assert.equal(container.get('db'), undefined);
      assert.equal(container.get('never-registered'), undefined);
      const boot = container.startAll();
      await turns(2);
      assert.deepEqual(container.get('db'), { db: true });
      assert.throws(() => container.resolve('api'), isError({ kind: 'ServiceNotStarted', service: 'api' }));
      gate.resolve();
      await boot;
      assert.deepEqual(container.get('api'), { api: true });
    });
  });

  describe('status', () => {
    it('lists every service with its state, requirement, attempts, timings and last error', async () => {
      const clock = new FakeClock();
      const failure = new Error('no route to host');
      const container = new Container({ logger: false, clock });
      container.register(
        { name: 'db', useFactory: () => ({}), onStart: async () => (await turns(1), clock.advance(30)) },
        { name: 'api', useFactory: () => ({}), deps: ['db'], onStart: async () => (await turns(1), clock.advance(20)) },
        { name: 'search', required: false, retries: 1, useFactory: () => ({}), onStart: () => Promise.reject(failure) },
        { name: 'idle', useValue: 0, dependsOn: ['search'], required: false },
      );
      const before = container.status();
      assert.deepEqual(before.map((s) => [s.name, s.state, s.required, s.attempts]), [
        ['db', 'idle', true, 0],
        ['api', 'idle', true, 0],
        ['search', 'idle', false, 0],
        ['idle', 'idle', false, 0],
      ]);
      await container.startAll();
      const after = container.status();
      assert.deepEqual(after.map((s) => [s.name, s.state, s.attempts, s.waitedMs, s.durationMs, s.error?.kind]), [
        ['db', 'started', 1, 0, 30, undefined],
        ['api', 'started', 1, 30, 20, undefined],
        // a retry yields a macrotask even without backoff: db's start advanced the clock meanwhile
        ['search', 'failed', 2, 0, 30, 'ServiceStartFailure'],
        ['idle', 'failed', 0, 30, 0, 'DependencyUnavailable'],
      ]);
      assert.equal(after[2]!.error?.cause, failure);
    });

    it('reports stop attempts and stop failures once services stop', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useValue: 1 }, { name: 'api', useFactory: () => ({}), deps: ['db'], onStop: () => Promise.reject(new Error('busy')) });
      await container.startAll();
      await shutdownError(container.stopAll());
      assert.deepEqual(container.status().map((s) => [s.name, s.state, s.attempts, s.error?.kind]), [
        ['db', 'started', 1, 'ParentUnavailable'],
        ['api', 'started', 1, 'ServiceStopFailure'],
      ]);
    });
  });
});
