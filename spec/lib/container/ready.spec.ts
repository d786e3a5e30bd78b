import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, token } from '../../../lib';
import { turns } from '../../support/deferred';
import { bootError, isError } from '../../support/errors';
import { Journal, tracked, type TrackedInstance } from '../../support/journal';

describe('Container', () => {
  describe('ready', () => {
    it('resolves to the started instance once a boot started before or after the call starts it', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'A'), tracked(journal, 'B', { deps: ['A'] }), tracked(journal, 'C', { deps: ['A', 'B'] }));
      const early = container.ready('C');
      await container.startAll();
      assert.equal(await early, container.resolve('C'));
      assert.equal(await container.ready('C'), container.resolve('C'));
    });

    it('waits across a failed boot until a later boot starts the service', async () => {
      let down = true;
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({ at: Date.now() }), onStart: () => (down ? Promise.reject(new Error('down')) : undefined) });
      let settled = false;
      const ready = container.ready('db').finally(() => (settled = true));
      await bootError(container.startAll());
      await turns(2);
      assert.equal(settled, false);
      down = false;
      await container.startAll();
      assert.equal(await ready, container.resolve('db'));
    });

    it('waits across a restart and resolves to the new instance', async () => {
      const journal = new Journal();
      const container = new Container({ logger: false });
      container.register(tracked(journal, 'db'));
      await container.startAll();
      await container.stopAll();
      const ready = container.ready<TrackedInstance>('db');
      await container.startAll();
      assert.equal((await ready).serial, 2);
    });

    it('rejects with the reason of its signal when it aborts', async () => {
      @Service()
      class Never {}
      const container = new Container({ logger: false });
      container.register(Never);
      const controller = new AbortController();
      const reason = new Error('no longer interested');
      const ready = container.ready(Never, { signal: controller.signal });
      controller.abort(reason);
      await assert.rejects(ready, (e) => e === reason);
      await assert.rejects(container.ready(Never, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    });

    it('rejects, and never throws, with ServiceUnknown for a token never registered', async () => {
      const container = new Container({ logger: false });
      let pending: Promise<unknown> | undefined;
      assert.doesNotThrow(() => (pending = container.ready(token<string>('ghost'))));
      await assert.rejects(pending!, isError({ kind: 'ServiceUnknown', service: 'ghost' }));
    });
  });
});
