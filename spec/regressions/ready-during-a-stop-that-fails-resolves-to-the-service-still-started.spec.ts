import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { deferred, whenAborted } from '../support/deferred';
import { shutdownError } from '../support/errors';

describe('regressions', () => {
  it('ready(token) called while its service is stopping resolves when the stop fails and the service stays started', async () => {
    // a failed stop put the service back to started without waking its watchers, and no later
    // boot would either (a started service is not started again), so ready() never settled
    const stopping = deferred();
    const verdict = deferred();
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({ db: 1 }), onStop: () => (stopping.resolve(), verdict.promise) });
    await container.startAll();
    const shutdown = shutdownError(container.stopAll());
    await stopping.promise;
    const ready = container.ready('db');
    verdict.reject(new Error('busy'));
    await shutdown;
    assert.equal(await ready, container.resolve('db'));
  });

  it('ready(token) called while its service is stopping resolves when that stop is aborted', async () => {
    const stopping = deferred();
    const controller = new AbortController();
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({ db: 1 }), onStop: (_db: unknown, signal: AbortSignal) => (stopping.resolve(), whenAborted(signal).then((r) => Promise.reject(r))) });
    await container.startAll();
    const shutdown = shutdownError(container.stopAll({ signal: controller.signal }));
    await stopping.promise;
    const ready = container.ready('db');
    controller.abort(new Error('hurry'));
    await shutdown;
    assert.equal(await ready, container.resolve('db'));
  });
});
