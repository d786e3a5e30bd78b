import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { deferred, whenAborted } from '../support/deferred';
import { bootError } from '../support/errors';

describe('regressions', () => {
  it('a startAll interrupted by stopAll rejects with a BootError naming the services it could not start', async () => {
    // stopAll turned the failed services into stopped before the interrupted startAll looked at
    // them, so that startAll resolved with an empty error list although nothing had started
    const entered = deferred();
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}), onStart: (_db: unknown, signal: AbortSignal) => (entered.resolve(), whenAborted(signal).then((r) => Promise.reject(r))) },
      { name: 'api', useFactory: () => ({}), deps: ['db'] },
    );
    const boot = bootError(container.startAll());
    await entered.promise;
    await container.stopAll();
    const error = await boot;
    assert.deepEqual(error.errors.map((e) => [e.kind, e.service, (e.cause as DOMException).name]), [
      ['ServiceStartFailure', 'db', 'AbortError'],
      ['ServiceStartFailure', 'api', 'AbortError'],
    ]);
  });
});
