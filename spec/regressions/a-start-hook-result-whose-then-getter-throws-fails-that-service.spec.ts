import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';
import { settled } from '../support/settles';

// Issue 14, defect 3: the promise check of a sync onStart's result ran outside the try, so a
// result whose `then` getter throws rejected startAll with a raw Error and hung a dependent.
describe('regression', () => {
  it('a sync start hook returning an object whose then getter throws fails that service and its dependents', async () => {
    for (const retries of [0, 1]) {
      const container = new Container({ logger: false });
      container.register(
        {
          name: 'db',
          useFactory: () => ({}),
          retries,
          onStart: () => ({ get then(): never { throw new Error('then bomb'); } }) as never,
        },
        { name: 'app', useFactory: () => ({}), deps: ['db'] },
      );
      const boot = container.startAll();
      assert.equal(await settled(boot, 2_000), 'rejected', `retries ${retries}`);
      const error = await boot.catch((e: unknown) => e);
      assert.ok(error instanceof BootError, `retries ${retries}: ${String(error)}`);
      assert.deepEqual(error.errors.map((e) => [e.service, e.kind]), [['db', 'ServiceStartFailure'], ['app', 'DependencyUnavailable']]);
      assert.match(error.errors[0]!.message, /then bomb/);
      await container.stopAll();
    }
  });
});
