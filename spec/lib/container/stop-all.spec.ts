import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, type OnStop } from '../../../lib';
import { deferred, turns, whenAborted } from '../../support/deferred';
import { assertBandmasterError, shutdownError } from '../../support/errors';
import { FakeClock } from '../../support/fake-clock';
import { Journal, tracked } from '../../support/journal';

const states = (container: Container): Record<string, string> => Object.fromEntries(container.status().map((s) => [s.name, s.state]));

describe('Container', () => {
  describe('stopAll', () => {
    it('stops dependents before their dependencies', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db', { stop: () => turns(1) }),
        tracked(journal, 'repo', { deps: ['db'], stop: () => turns(2) }),
        tracked(journal, 'api', { deps: ['repo'], dependsOn: ['db'] }),
      );
      await container.startAll();
      const report = await container.stopAll();
      assert.deepEqual(journal.only('stop'), ['stop api', 'stopped api', 'stop repo', 'stopped repo', 'stop db', 'stopped db']);
      assert.deepEqual(report.services.map((s) => [s.name, s.state, s.attempts]), [['db', 'stopped', 1], ['repo', 'stopped', 1], ['api', 'stopped', 1]]);
    });

    it('stops a dependency only after all its dependents, while unrelated services stop in parallel', async () => {
      const journal = new Journal();
      const slowApi = deferred();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db'),
        tracked(journal, 'api-1', { deps: ['db'], stop: () => slowApi.promise }),
        tracked(journal, 'api-2', { deps: ['db'] }),
        tracked(journal, 'metrics'),
      );
      await container.startAll();
      const shutdown = container.stopAll();
      await turns(3);
      assert.deepEqual(states(container), { db: 'started', 'api-1': 'stopping', 'api-2': 'stopped', metrics: 'stopped' });
      assert.equal(journal.at('stop db'), -1);
      slowApi.resolve();
      await shutdown;
      assert.ok(journal.at('stopped api-1') < journal.at('stop db'));
    });

    it('runs the stop hooks of independent services at the same time', async () => {
      const journal = new Journal();
      const aIn = deferred();
      const bIn = deferred();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'a', { stop: async () => (aIn.resolve(), await bIn.promise) }),
        tracked(journal, 'b', { stop: async () => (bIn.resolve(), await aIn.promise) }),
      );
      await container.startAll();
      await container.stopAll({ timeout: 10_000 });
      assert.deepEqual(journal.only('stop').slice(0, 2).sort(), ['stop a', 'stop b']);
    });

    it('fails the dependencies of a service that failed to stop with ParentUnavailable, and keeps them all started', async () => {
      const journal = new Journal();
      const stuck = new Error('flush failed');
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db'),
        tracked(journal, 'repo', { deps: ['db'] }),
        tracked(journal, 'api', { deps: ['repo'], stop: () => Promise.reject(stuck) }),
        tracked(journal, 'metrics'),
      );
      await container.startAll();
      const error = await shutdownError(container.stopAll());
      const [api, repo, db] = ['api', 'repo', 'db'].map((name) => error.errors.find((e) => e.service === name));
      assertBandmasterError(api, { kind: 'ServiceStopFailure', service: 'api', attempts: 1 });
      assertBandmasterError(repo, { kind: 'ParentUnavailable', service: 'repo', parent: 'api' });
      assertBandmasterError(db, { kind: 'ParentUnavailable', service: 'db', parent: 'repo' });
      assert.equal(api.cause, stuck);
      assert.equal(repo.cause, api);
      assert.equal(error.errors.length, 3);
      assert.deepEqual(states(container), { db: 'started', repo: 'started', api: 'started', metrics: 'stopped' });
      assert.equal(journal.at('stop repo'), -1);
      assert.equal(container.resolve('api'), container.get('api'));
    });

    it('tries a service that failed to stop again on the next stopAll', async () => {
      const journal = new Journal();
      let failures = 1;
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db'),
        tracked(journal, 'api', { deps: ['db'], stop: () => (failures-- > 0 ? Promise.reject(new Error('busy')) : undefined) }),
      );
      await container.startAll();
      await shutdownError(container.stopAll());
      const report = await container.stopAll();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(states(container), { db: 'stopped', api: 'stopped' });
      assert.deepEqual(journal.only('stop'), ['stop api', 'stop api', 'stopped api', 'stop db', 'stopped db']);
    });

    it('retries a failed stop with the service backoff', async () => {
      const clock = new FakeClock();
      let failures = 2;
      @Service({ retries: 2, backoff: { initial: 50, factor: 3 } })
      class Flusher implements OnStop {
        onStop(): void {
          if (failures-- > 0) throw new Error('not yet');
        }
      }
      const container = new Container({ logger: false, clock });
      container.register(Flusher);
      await container.startAll();
      const shutdown = container.stopAll();
      clock.advance((await clock.nextSleep()).ms);
      clock.advance((await clock.nextSleep()).ms);
      const report = await shutdown;
      assert.deepEqual(clock.delays, [50, 150]);
      assert.deepEqual(report.services.map((s) => [s.state, s.attempts]), [['stopped', 3]]);
    });

    it('fails every service still started with ServiceStopFailure when its signal aborts, and keeps them started', async () => {
      const journal = new Journal();
      const controller = new AbortController();
      const apiIn = deferred();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db'),
        tracked(journal, 'api', { deps: ['db'], stop: (signal) => (apiIn.resolve(), whenAborted(signal).then((r) => Promise.reject(r))) }),
        tracked(journal, 'metrics', { stop: () => turns(1) }),
      );
      await container.startAll();
      const shutdown = shutdownError(container.stopAll({ signal: controller.signal }));
      await apiIn.promise;
      await turns(3);
      const reason = new Error('second SIGINT');
      controller.abort(reason);
      const error = await shutdown;
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.cause]).sort(), [
        ['ServiceStopFailure', 'api', reason],
        ['ServiceStopFailure', 'db', reason],
      ]);
      assert.deepEqual(states(container), { db: 'started', api: 'started', metrics: 'stopped' });
      assert.equal(journal.at('stop db'), -1);
    });

    it('turns a service stopped, with its event, when its stop hook succeeds after the shutdown was aborted', async () => {
      const controller = new AbortController();
      const entered = deferred();
      const release = deferred();
      let closes = 0;
      const container = new Container({ logger: false });
      // one attempt, no time limit: the hook ignores the signal and finishes once released
      container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}), onStop: () => (entered.resolve(), release.promise.then(() => void closes++)) });
      await container.startAll();
      const stopped: string[] = [];
      container.events.on((e) => void (e.type === 'stopped' && stopped.push(e.service)));
      const shutdown = shutdownError(container.stopAll({ signal: controller.signal }));
      await entered.promise;
      controller.abort(new Error('second SIGINT'));
      const error = await shutdown;
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service]).sort(), [
        ['ServiceStopFailure', 'api'],
        ['ServiceStopFailure', 'db'],
      ]);
      assert.deepEqual(states(container), { db: 'started', api: 'started' });

      release.resolve();
      await turns(3);
      assert.equal(closes, 1);
      assert.deepEqual(states(container), { db: 'started', api: 'stopped' });
      assert.deepEqual(stopped, ['api']);
      assert.equal(container.get('api'), undefined);

      // the next shutdown stops what is left without closing api twice
      await container.stopAll();
      assert.equal(closes, 1);
      assert.deepEqual(states(container), { db: 'stopped', api: 'stopped' });
    });

    it('keeps a service started when its late stop hook succeeds while a new boot is injecting it', async () => {
      const controller = new AbortController();
      const entered = deferred();
      const release = deferred();
      const cacheStarting = deferred();
      const cacheGo = deferred();
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), onStop: () => (entered.resolve(), release.promise) });
      await container.startAll();
      const shutdown = shutdownError(container.stopAll({ signal: controller.signal }));
      await entered.promise;
      controller.abort(new Error('second SIGINT'));
      await shutdown;
      // a boot begins while db's stop hook still runs: its new dependent counts db as started
      container.register({ name: 'cache', deps: ['db'], useFactory: (db: unknown) => ({ db }), onStart: () => (cacheStarting.resolve(), cacheGo.promise) });
      const boot = container.startAll();
      await cacheStarting.promise;
      release.resolve();
      await turns(3);
      assert.deepEqual(states(container), { db: 'started', cache: 'starting' });
      cacheGo.resolve();
      await boot;
      assert.deepEqual(states(container), { db: 'started', cache: 'started' });
      await container.stopAll();
      assert.deepEqual(states(container), { db: 'stopped', cache: 'stopped' });
    });

    it('keeps a service started when its stop hook fails after the shutdown was aborted', async () => {
      const controller = new AbortController();
      const entered = deferred();
      const release = deferred();
      const container = new Container({ logger: false });
      container.register({ name: 'api', useFactory: () => ({}), onStop: () => (entered.resolve(), release.promise.then(() => Promise.reject(new Error('still busy')))) });
      await container.startAll();
      const shutdown = shutdownError(container.stopAll({ signal: controller.signal }));
      await entered.promise;
      controller.abort(new Error('second SIGINT'));
      await shutdown;
      release.resolve();
      await turns(3);
      assert.deepEqual(states(container), { api: 'started' });
    });

    it('neither stops nor fails services that never started', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'broken', { required: false, start: () => Promise.reject(new Error('no')) }), tracked(journal, 'idle-dependent', { required: false, deps: ['broken'] }));
      await container.startAll();
      const report = await container.stopAll();
      assert.deepEqual(report.errors, []);
      assert.equal(journal.count('stop broken'), 0);
      assert.deepEqual(states(container), { broken: 'stopped', 'idle-dependent': 'stopped' });
    });

    it('forgets stopped instances: get() returns undefined', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'value', useValue: { v: 1 } });
      await container.startAll();
      assert.deepEqual(container.get('value'), { v: 1 });
      await container.stopAll();
      assert.equal(container.get('value'), undefined);
    });
  });
});
