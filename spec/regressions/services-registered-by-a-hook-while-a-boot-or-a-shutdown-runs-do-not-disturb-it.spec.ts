import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

// The scheduler keeps every service's state and counters in columns (typed arrays) that are
// replaced when the container grows. A hook that registers services mid-run grows it while a
// boot or a shutdown is counting down: a count written to the replaced column would be lost, and
// the service waiting on it would never start (or stop). Found by review, not by a failure.
describe('regression', () => {
  it('services registered by a hook while a boot or a shutdown runs do not disturb it', async () => {
    const container = new Container({ logger: false });
    const log: string[] = [];
    const registerMany = (prefix: string): void => {
      // once: the second boot below runs these hooks again
      if (container.status().some((s) => s.name === `${prefix}-0`)) return;
      for (let i = 0; i < 100; i++) container.register({ name: `${prefix}-${i}`, useValue: i });
    };
    const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    container.register(
      {
        name: 'hub',
        useFactory: () => ({}),
        onStart: () => {
          registerMany('late');
          log.push('hub started');
        },
        onStop: async () => {
          await tick(5);
          log.push('hub stopped');
        },
      },
      {
        name: 'slow',
        useFactory: () => ({}),
        onStart: async () => {
          await tick(20);
          log.push('slow started');
        },
        onStop: () => void log.push('slow stopped'),
      },
      {
        name: 'a',
        deps: ['hub'],
        useFactory: () => ({}),
        // launched while hub settles, before b is counted down: the container grows in between
        onStart: () => {
          registerMany('mid');
          log.push('a started');
        },
        onStop: () => {
          registerMany('later');
          log.push('a stopped');
        },
      },
      {
        name: 'b',
        deps: ['hub', 'slow'],
        useFactory: () => ({}),
        onStart: () => void log.push('b started'),
        onStop: () => void log.push('b stopped'),
      },
    );
    const boot = await container.startAll({ timeout: 5_000 });
    assert.deepEqual(
      boot.services.slice(0, 4).map((s) => [s.name, s.state]),
      [['hub', 'started'], ['slow', 'started'], ['a', 'started'], ['b', 'started']],
    );
    assert.equal(boot.services.length, 204);
    assert.ok(boot.services.slice(4).every((s) => s.state === 'idle'));
    assert.deepEqual(log, ['hub started', 'a started', 'slow started', 'b started']);
    log.length = 0;
    const stop = await container.stopAll({ timeout: 5_000 });
    assert.equal(stop.services.filter((s) => s.state === 'stopped').length, 4);
    assert.deepEqual(log.slice(0, 2).sort(), ['a stopped', 'b stopped']);
    assert.deepEqual(log.slice(2).sort(), ['hub stopped', 'slow stopped']);
    assert.equal(container.status().length, 304);
    // the late services start with the next boot
    await container.startAll({ timeout: 5_000 });
    assert.ok(container.status().every((s) => s.state === 'started'));
    await container.stopAll({ timeout: 5_000 });
  });
});
