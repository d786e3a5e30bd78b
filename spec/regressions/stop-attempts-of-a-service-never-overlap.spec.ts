import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

// Issue 14, defect 8: a stop attempt given up on (stopAll's timeout) kept running while the next
// stopAll called the hook again on the same instance, and the late result left the state
// inconsistent.
describe('regression', () => {
  for (const stopTimeout of [undefined, 5_000]) {
    it(`stop attempts of a service never overlap, and a stop that finished late is not run again (stopTimeout ${stopTimeout})`, async () => {
      const container = new Container({ logger: false });
      let running = 0;
      let most = 0;
      let calls = 0;
      container.register({
        name: 'db',
        useFactory: () => ({}),
        stopTimeout,
        // ignores its signal
        onStop: async () => {
          calls++;
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 100));
          running--;
        },
      });
      await container.startAll();
      await assert.rejects(container.stopAll({ timeout: 20 }));
      assert.equal(container.status()[0]?.state, 'started');
      await container.stopAll();
      assert.equal(most, 1, 'two stop hooks ran at once on one instance');
      assert.equal(calls, 1, 'the first stop finished: the instance is closed');
      assert.equal(container.status()[0]?.state, 'stopped');
    });
  }
});
