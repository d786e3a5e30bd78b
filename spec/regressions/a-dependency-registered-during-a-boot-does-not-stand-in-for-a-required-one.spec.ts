import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

// Issue 14, defect 1: A depends on B (required, slow) and on X (optional, not registered when the
// boot began). X registered and started during the boot counted toward A's pending dependencies,
// so A was built with `undefined` for B while B was still starting.
describe('regression', () => {
  for (const how of ['start(X)', 'a joining startAll()'] as const) {
    it(`an optional dependency registered and started by ${how} during a boot does not stand in for a required one`, async () => {
      const container = new Container({ logger: false });
      const log: string[] = [];
      let releaseB!: () => void;
      container.register(
        { name: 'B', useFactory: () => ({ b: true }), onStart: () => new Promise<void>((resolve) => (releaseB = resolve)) },
        {
          name: 'A',
          useFactory: (b: unknown, x: unknown) => {
            log.push(`A built with B=${JSON.stringify(b)} X=${JSON.stringify(x)}`);
            return {};
          },
          deps: ['B', { token: 'X', optional: true }],
        },
      );
      const boot = container.startAll();
      await new Promise((r) => setImmediate(r));
      container.register({ name: 'X', useFactory: () => ({ x: true }) });
      if (how === 'start(X)') await container.start('X');
      else {
        const joined = container.startAll();
        await new Promise((r) => setTimeout(r, 20));
        releaseB();
        await joined;
      }
      await new Promise((r) => setTimeout(r, 20));
      if (how === 'start(X)') assert.deepEqual(log, [], 'A must wait for B');
      releaseB();
      await boot;
      assert.equal(log.length, 1);
      assert.match(log[0]!, /^A built with B=\{"b":true\}/);
      await container.stopAll();
    });
  }
});
