import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay, normalizeBackoff, raceAbort, realClock } from '../../../lib/lifecycle/retry';

const NO_BACKOFF = normalizeBackoff(undefined);

describe('retry', () => {
  describe('backoff', () => {
    it('defaults to factor 2, no cap and no jitter', () => {
      assert.deepEqual(normalizeBackoff(100), { initial: 100, factor: 2, max: Infinity, jitter: 0 });
      assert.deepEqual(normalizeBackoff({ initial: 5, max: 50 }), { initial: 5, factor: 2, max: 50, jitter: 0 });
      assert.deepEqual(NO_BACKOFF, { initial: 0, factor: 2, max: Infinity, jitter: 0 });
    });

    it('doubles from the initial delay: 100, 200, 400, 800 (the Go original)', () => {
      const policy = normalizeBackoff(100);
      assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(policy, n)), [100, 200, 400, 800]);
    });

    it('is initial * factor^(retry-1), capped at max, shortened by at most jitter, rounded to whole ms', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10_000 }),
          fc.double({ min: 1, max: 4, noNaN: true }),
          fc.integer({ min: 0, max: 100_000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.integer({ min: 1, max: 12 }),
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          (initial, factor, max, jitter, n, random) => {
            const raw = Math.min(initial * factor ** (n - 1), max);
            const delay = backoffDelay({ initial, factor, max, jitter }, n, () => random);
            assert.ok(delay <= Math.round(raw) && delay >= Math.round(raw * (1 - jitter)) - 1, `${delay} out of [${raw * (1 - jitter)}, ${raw}]`);
            assert.equal(delay, Math.round(raw * (1 - jitter * random)));
            assert.ok(Number.isInteger(delay) && delay >= 0);
          },
        ),
        { seed: 20_240_601, numRuns: 200 },
      );
    });
  });

  describe('raceAbort', () => {
    it('settles like the value unless the signal aborts first', async () => {
      const controller = new AbortController();
      assert.equal(await raceAbort(Promise.resolve(1), controller.signal), 1);
      assert.equal(await raceAbort(2, controller.signal), 2);
      const pending = raceAbort(new Promise(() => undefined), controller.signal);
      controller.abort(new Error('gone'));
      await assert.rejects(pending, { message: 'gone' });
      await assert.rejects(raceAbort(3, controller.signal), { message: 'gone' });
    });
  });

  describe('realClock', () => {
    it('sleeps, and ends a sleep at once when its signal aborts, leaving no timer behind', async () => {
      const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const baseline = timers();
      await realClock.sleep(1, new AbortController().signal);
      const controller = new AbortController();
      const long = realClock.sleep(3_600_000, controller.signal);
      assert.equal(timers(), baseline + 1);
      controller.abort(new Error('wake up'));
      await assert.rejects(long, { message: 'wake up' });
      assert.equal(timers(), baseline);
    });
  });
});
