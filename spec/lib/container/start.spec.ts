import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container, Inject, Service } from '../../../lib';
import { deferred, whenAborted } from '../../support/deferred';
import { assertBandmasterError, bootError, isError, rejection } from '../../support/errors';
import { Journal, tracked, type TrackedInstance } from '../../support/journal';

const states = (container: Container): Record<string, string> => Object.fromEntries(container.status().map((s) => [s.name, s.state]));

describe('Container', () => {
  describe('start', () => {
    it('starts only that service and what it depends on, resolving to its started instance', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'db'), tracked(journal, 'repo', { deps: ['db'] }), tracked(journal, 'api', { deps: ['repo'] }), tracked(journal, 'mailer'));
      const repo = await container.start<TrackedInstance>('repo');
      assert.equal(repo, container.resolve('repo'));
      assert.equal(repo.deps[0], container.resolve('db'));
      assert.deepEqual(states(container), { db: 'started', repo: 'started', api: 'idle', mailer: 'idle' });
    });

    it('resolves at once to the instance of a service already started', async () => {
      @Service()
      class Clock {}
      const container = new Container({ logger: false });
      container.register(Clock);
      const first = await container.start(Clock);
      assert.ok(first instanceof Clock);
      assert.equal(await container.start(Clock), first);
    });

    it('ignores problems in the part of the graph it does not need', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'ok', useValue: 1 }, { name: 'broken', useValue: 2, dependsOn: ['nowhere'] });
      assert.equal(await container.start('ok'), 1);
      await bootError(container.start('broken'));
    });

    it('rejects with the start error of the service', async () => {
      const refused = new Error('ECONNREFUSED');
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), onStart: () => Promise.reject(refused) });
      const error = await rejection(container.start('db'), BandmasterError);
      assertBandmasterError(error, { kind: 'ServiceStartFailure', service: 'db', attempts: 1 });
      assert.equal(error.cause, refused);
    });

    it('rejects with DependencyUnavailable when a dependency fails', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), onStart: () => Promise.reject(new Error('down')) }, { name: 'repo', useFactory: () => ({}), deps: ['db'] });
      await assert.rejects(container.start('repo'), isError({ kind: 'DependencyUnavailable', service: 'repo', dependency: 'db' }));
    });

    it('rejects with ServiceUnknown for a token never registered', async () => {
      @Service()
      class Stranger {}
      const container = new Container({ logger: false });
      await assert.rejects(container.start('nobody'), isError({ kind: 'ServiceUnknown', service: 'nobody' }));
      await assert.rejects(container.start(Stranger), isError({ kind: 'ServiceUnknown', service: 'Stranger' }));
    });

    it('joins a running startAll instead of starting the service twice', async () => {
      const journal = new Journal();
      const gate = deferred();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'db', { start: () => gate.promise }), tracked(journal, 'repo', { deps: ['db'] }));
      const all = container.startAll();
      const repo = container.start('repo');
      gate.resolve();
      await all;
      assert.equal(await repo, container.resolve('repo'));
      assert.equal(journal.count('new repo'), 1);
    });

    it('is cancelled by its signal', async () => {
      @Service()
      class Slow {
        onStart(signal: AbortSignal): Promise<unknown> {
          return whenAborted(signal).then((r) => Promise.reject(r));
        }
      }
      @Service()
      class User {
        constructor(@Inject(Slow) readonly slow: Slow) {}
      }
      const container = new Container({ logger: false });
      container.register(Slow, User);
      const reason = new Error('give up');
      const controller = new AbortController();
      const started = container.start(User, { signal: controller.signal });
      controller.abort(reason);
      const error = await rejection(started, BandmasterError);
      assertBandmasterError(error, { kind: 'ServiceStartFailure', service: 'User' });
      assert.equal(error.cause, reason);
    });
  });
});
