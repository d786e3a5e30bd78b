import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

// Issue 14, defect 7: a start abandoned by stopAll (its hook ignores the signal) finished later
// and its cleanup (onStop) ran on an instance whose database was already closed, after stopAll
// had resolved.
describe('regression', () => {
  for (const startTimeout of [undefined, 1_000]) {
    it(`an abandoned start is cleaned up before its dependencies stop and before stopAll resolves (startTimeout ${startTimeout})`, async () => {
      const container = new Container({ logger: false });
      const log: string[] = [];
      let dbOpen = false;
      container.register(
        {
          name: 'db',
          useFactory: () => ({}),
          onStart: () => void (dbOpen = true),
          onStop: () => {
            log.push('db closed');
            dbOpen = false;
          },
        },
        {
          name: 'app',
          useFactory: () => ({}),
          deps: ['db'],
          startTimeout,
          // ignores its signal: finishes 100 ms later whatever happens
          onStart: () => new Promise<void>((resolve) => setTimeout(resolve, 100)),
          onStop: () => void log.push(`app cleaned up, db ${dbOpen ? 'open' : 'closed'}`),
        },
      );
      const boot = container.startAll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(container.status().find((s) => s.name === 'app')?.state, 'starting');
      await container.stopAll().catch(() => undefined);
      log.push('stopAll resolved');
      await boot;
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(log, ['app cleaned up, db open', 'db closed', 'stopAll resolved']);
    });
  }
});
