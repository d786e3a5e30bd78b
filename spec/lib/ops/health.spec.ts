import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, type HealthCheck } from '../../../lib';
import { whenAborted } from '../../support/deferred';

const summary = (report: Awaited<ReturnType<Container['health']>>): unknown[] => report.services.map((s) => [s.name, s.state, s.healthy, s.error]);

describe('Container', () => {
  describe('health', () => {
    it('is healthy when every started service passes its check, hookless ones included', async () => {
      @Service()
      class Db implements HealthCheck {
        healthCheck(): Promise<void> {
          return Promise.resolve();
        }
      }
      const container = new Container({ logger: false });
      container.register(Db, { name: 'clock', useValue: Date });
      await container.startAll();
      const report = await container.health();
      assert.equal(report.healthy, true);
      assert.deepEqual(summary(report), [['Db', 'started', true, undefined], ['clock', 'started', true, undefined]]);
    });

    it('is unhealthy when a required service fails its check, but not when only an optional one does', async () => {
      const container = new Container({ logger: false });
      container.register(
        { name: 'search', required: false, useValue: {}, healthCheck: () => Promise.reject(new Error('cluster red')) },
        { name: 'db', useValue: {}, healthCheck: () => undefined },
      );
      await container.startAll();
      assert.equal((await container.health()).healthy, true);
      container.register({ name: 'queue', useValue: {}, healthCheck: () => { throw new Error('broker gone'); } });
      await container.startAll();
      const report = await container.health();
      assert.equal(report.healthy, false);
      assert.deepEqual(summary(report), [
        ['search', 'started', false, 'cluster red'],
        ['db', 'started', true, undefined],
        ['queue', 'started', false, 'broker gone'],
      ]);
    });

    it('counts services that are not started as unhealthy', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useValue: 1 });
      const report = await container.health();
      assert.equal(report.healthy, false);
      assert.deepEqual(summary(report), [['db', 'idle', false, 'service is idle']]);
    });

    it('shows how many times each service was restarted, and nothing for those never restarted', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), healthCheck: () => undefined }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
      await container.startAll();
      assert.equal((await container.health()).services.some((s) => 'restarts' in s), false);
      await container.restart('db');
      await container.restart('api');
      await container.restart('db');
      const report = await container.health();
      assert.deepEqual(report.services.map((s) => [s.name, s.healthy, s.restarts]), [['db', true, 2], ['api', true, 1]]);
      assert.deepEqual(report.services.map((s) => s.restarts), container.status().map((s) => s.restarts));
      await container.stopAll();
    });

    it('fails a check that outlives its time limit, aborting its signal', async () => {
      let seen: AbortSignal | undefined;
      const container = new Container({ logger: false });
      container.register({ name: 'slow', useValue: {}, healthCheck: (_v: unknown, signal: AbortSignal) => ((seen = signal), new Promise(() => undefined)) });
      await container.startAll();
      const report = await container.health({ timeout: 10 });
      assert.equal(report.healthy, false);
      assert.equal(seen?.aborted, true);
      assert.equal((seen?.reason as DOMException).name, 'TimeoutError');
    });

    it('fails the checks still running when its signal aborts', async () => {
      const controller = new AbortController();
      const container = new Container({ logger: false });
      container.register({ name: 'db', useValue: {}, healthCheck: (_v: unknown, signal: AbortSignal) => whenAborted(signal).then((r) => Promise.reject(r)) });
      await container.startAll();
      const pending = container.health({ signal: controller.signal });
      controller.abort(new Error('probe cancelled'));
      const report = await pending;
      assert.deepEqual(summary(report), [['db', 'started', false, 'probe cancelled']]);
    });
  });
});
