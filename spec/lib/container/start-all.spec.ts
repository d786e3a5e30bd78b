import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, DependsOn, Inject, Optional, Service, type OnStart } from '../../../lib';
import { deferred, turns } from '../../support/deferred';
import { assertBandmasterError, bootError } from '../../support/errors';
import { FakeClock } from '../../support/fake-clock';
import { Journal, tracked } from '../../support/journal';

describe('Container', () => {
  describe('startAll', () => {
    it('starts a service as soon as its own dependencies are started, while an unrelated slow branch still runs', async () => {
      const journal = new Journal();
      const slow = deferred();
      const topStarted = deferred();
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'slow', { start: () => slow.promise }),
        tracked(journal, 'fast'),
        tracked(journal, 'mid', { deps: ['fast'] }),
        tracked(journal, 'top', { deps: ['mid'], start: () => topStarted.resolve() }),
        tracked(journal, 'join', { deps: ['slow', 'top'] }),
      );
      const boot = container.startAll();
      await topStarted.promise;
      await turns(2);
      const states = Object.fromEntries(container.status().map((s) => [s.name, s.state]));
      assert.deepEqual(states, { slow: 'starting', fast: 'started', mid: 'started', top: 'started', join: 'waiting' });
      assert.equal(journal.at('new join'), -1);
      slow.resolve();
      await boot;
      assert.ok(journal.at('started slow') < journal.at('new join'));
      assert.ok(journal.at('started top') < journal.at('new join'));
    });

    it('runs the start hooks of independent services at the same time', async () => {
      const journal = new Journal();
      const aIn = deferred();
      const bIn = deferred();
      const container = new Container({ logger: false });
      // each hook waits for the other to have begun: a serial boot could never finish
      container.register(
        tracked(journal, 'a', { start: async () => (aIn.resolve(), await bIn.promise) }),
        tracked(journal, 'b', { start: async () => (bIn.resolve(), await aIn.promise) }),
      );
      await container.startAll({ timeout: 10_000 });
      assert.deepEqual(journal.entries.slice(0, 4).sort(), ['new a', 'new b', 'start a', 'start b']);
    });

    it('constructs a class only when its dependencies are started, with the started instances', async () => {
      @Service()
      class Db implements OnStart {
        connected = false;
        async onStart(): Promise<void> {
          await turns(1);
          this.connected = true;
        }
      }
      @Service()
      class Repo {
        readonly dbWasConnected: boolean;
        constructor(readonly db: Db) {
          this.dbWasConnected = db.connected;
        }
      }
      const container = new Container({ logger: false });
      container.register(Repo, Db);
      await container.startAll();
      const repo = container.resolve(Repo);
      assert.equal(repo.dbWasConnected, true);
      assert.equal(repo.db, container.resolve(Db));
    });

    it('waits for @DependsOn services without injecting them', async () => {
      const journal = new Journal();
      @Service()
      @DependsOn('migrations')
      class Api {
        readonly args: number;
        constructor() {
          this.args = arguments.length;
          journal.write('new Api');
        }
      }
      const container = new Container({ logger: false });
      container.register(Api, tracked(journal, 'migrations', { start: () => turns(2) }));
      await container.startAll();
      assert.equal(container.resolve(Api).args, 0);
      assert.ok(journal.at('started migrations') < journal.at('new Api'));
    });

    it('retries a rejected start with exponential backoff until it succeeds', async () => {
      const clock = new FakeClock();
      let failures = 3;
      const container = new Container({ logger: false, clock });
      container.register({
        name: 'A',
        useFactory: () => ({}),
        retries: 10,
        backoff: 250,
        onStart: () => {
          if (failures-- > 0) throw new Error('not allowed to start');
        },
      });
      const boot = container.startAll();
      for (let i = 0; i < 3; i++) {
        const sleep = await clock.nextSleep();
        clock.advance(sleep.ms);
      }
      const report = await boot;
      assert.deepEqual(clock.delays, [250, 500, 1000]);
      assert.deepEqual(report.services.map((s) => [s.name, s.state, s.attempts]), [['A', 'started', 4]]);
    });

    it('fails with ServiceStartFailure carrying the last error and the attempts once retries run out', async () => {
      const clock = new FakeClock();
      const errors = [new Error('refused 1'), new Error('refused 2')];
      let attempt = 0;
      const container = new Container({ logger: false, clock });
      container.register({
        name: 'B',
        useFactory: () => ({}),
        retries: 1,
        backoff: 100,
        onStart: () => Promise.reject(errors[attempt++]),
      });
      const boot = bootError(container.startAll());
      clock.advance((await clock.nextSleep()).ms);
      const error = await boot;
      assert.equal(error.errors.length, 1);
      assertBandmasterError(error.errors[0], { kind: 'ServiceStartFailure', service: 'B', attempts: 2 });
      assert.equal(error.errors[0].cause, errors[1]);
      assert.deepEqual(clock.delays, [100]);
    });

    it('counts a throwing constructor and a rejected async factory as failed attempts', async () => {
      let constructions = 0;
      @Service({ retries: 2 })
      class Flaky {
        constructor() {
          if (++constructions < 3) throw new Error(`construction ${constructions} failed`);
        }
      }
      let calls = 0;
      const container = new Container({ logger: false });
      container.register(Flaky, {
        name: 'async-factory',
        retries: 1,
        useFactory: async () => {
          await turns(1);
          if (++calls === 1) throw new Error('first call fails');
          return { calls };
        },
      });
      const report = await container.startAll();
      assert.deepEqual(report.services.map((s) => [s.name, s.state, s.attempts]), [['Flaky', 'started', 3], ['async-factory', 'started', 2]]);
      assert.equal(constructions, 3);
      assert.deepEqual(container.resolve('async-factory'), { calls: 2 });
    });

    it('fails the dependents of a failed service with DependencyUnavailable naming it, and never constructs them', async () => {
      const journal = new Journal();
      const refused = new Error('connect ECONNREFUSED');
      const container = new Container({ logger: false });
      container.register(
        tracked(journal, 'db', { start: () => Promise.reject(refused) }),
        tracked(journal, 'repo', { deps: ['db'] }),
        tracked(journal, 'api', { deps: ['repo'] }),
        tracked(journal, 'clock'),
      );
      const error = await bootError(container.startAll());
      const [db, repo, api] = ['db', 'repo', 'api'].map((name) => error.errors.find((e) => e.service === name));
      assertBandmasterError(db, { kind: 'ServiceStartFailure', service: 'db', attempts: 1 });
      assertBandmasterError(repo, { kind: 'DependencyUnavailable', service: 'repo', dependency: 'db' });
      assertBandmasterError(api, { kind: 'DependencyUnavailable', service: 'api', dependency: 'repo' });
      assert.equal(db.cause, refused);
      assert.equal(repo.cause, db);
      assert.equal(error.errors.length, 3);
      assert.deepEqual(journal.only('new '), ['new db', 'new clock']);
      assert.equal(container.status().find((s) => s.name === 'clock')?.state, 'started');
    });

    it('gives an @Optional() parameter undefined when its service failed, and starts anyway', async () => {
      @Service()
      class Api {
        constructor(@Optional() @Inject('audit') readonly audit?: unknown) {}
      }
      const container = new Container({ logger: false });
      container.register(Api, { name: 'audit', required: false, useFactory: () => ({}), onStart: () => Promise.reject(new Error('audit down')) });
      const report = await container.startAll();
      assert.equal(container.resolve(Api).audit, undefined);
      assert.deepEqual(report.errors.map((e) => [e.kind, e.service]), [['ServiceStartFailure', 'audit']]);
    });

    it('gives an optional factory dependency undefined when its required service failed, and still rejects the boot', async () => {
      const container = new Container({ logger: false });
      container.register(
        { name: 'cache', useFactory: () => ({}), onStart: () => Promise.reject(new Error('cache down')) },
        { name: 'api', useFactory: (cache: unknown, db: string) => ({ cache, db }), deps: [{ token: 'cache', optional: true }, 'db'] },
        { name: 'db', useValue: 'pg' },
      );
      const error = await bootError(container.startAll());
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service]), [['ServiceStartFailure', 'cache']]);
      assert.deepEqual(container.resolve('api'), { cache: undefined, db: 'pg' });
    });
  });
});
