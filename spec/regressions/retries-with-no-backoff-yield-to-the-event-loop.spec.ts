import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';
import { settled } from '../support/settles';

// Issue 14, defect 5: with `backoff: 0` the retry loop went from one rejected attempt to the next
// in microtasks only, so timers (startAll's own timeout included) never ran.
describe('regression', () => {
  it('retries with no backoff yield to the event loop, so timers fire and the boot timeout ends them', async () => {
    const container = new Container({ logger: false });
    let calls = 0;
    container.register({
      name: 'flaky',
      useFactory: () => ({}),
      retries: 1e9,
      backoff: 0,
      onStart: () => {
        calls++;
        return Promise.reject(new Error('refused'));
      },
    });
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    try {
      const boot = container.startAll({ timeout: 100 });
      assert.equal(await settled(boot, 3_000), 'rejected');
      assert.ok((await boot.catch((e: unknown) => e)) instanceof BootError);
      assert.ok(ticks >= 2, `a 10 ms interval fired ${ticks} times in a 100 ms boot`);
      assert.ok(calls > 1, 'it retried');
    } finally {
      clearInterval(interval);
    }
    await container.stopAll();
  });
});
