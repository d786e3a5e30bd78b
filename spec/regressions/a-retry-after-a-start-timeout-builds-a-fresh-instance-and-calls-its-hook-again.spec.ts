import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';
import { settled } from '../support/settles';

// Issue 14, defect 6 (DESIGN "Retries really retry"): the second attempt waited for the first one,
// whose hook ignores its signal, to unwind: `retries: 1` called the hook once.
describe('regression', () => {
  it('a retry after a start timeout builds a fresh instance and calls its start hook again', async () => {
    const container = new Container({ logger: false });
    const built: object[] = [];
    const started: object[] = [];
    container.register({
      name: 'stuck',
      useFactory: () => {
        const instance = { n: built.length + 1 };
        built.push(instance);
        return instance;
      },
      startTimeout: 50,
      retries: 1,
      onStart: (instance) => {
        started.push(instance as object);
        return new Promise<void>(() => undefined);
      },
    });
    const boot = container.startAll();
    assert.equal(await settled(boot, 2_000), 'rejected');
    const error = await boot.catch((e: unknown) => e);
    assert.ok(error instanceof BootError);
    assert.equal(error.errors[0]?.attempts, 2);
    assert.equal(built.length, 2, 'a fresh instance per attempt');
    assert.equal(started.length, 2, 'a second call');
    assert.notEqual(started[0], started[1]);
    await container.stopAll();
  });
});
