import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay, normalizeBackoff, raceAbort, realClock, retry, type RetryOptions } from '../../lib/retry';
import { deferred } from '../support/deferred';
import { FakeClock } from '../support/fake-clock';

const NO_BACKOFF = normalizeBackoff(undefined);

/** Runs `retry` with a fake clock that jumps over every sleep as soon as it is asked for. */
async function retryOnFakeTime<T>(options: Omit<RetryOptions<T>, 'clock' | 'what' | 'signal'> & { signal?: AbortSignal }, clock = new FakeClock()) {
  const signal = options.signal ?? new AbortController().signal;
  const run = retry({ what: 'test attempt', ...options, signal, clock });
  let done = false;
  void run.finally(() => (done = true));
  while (!done) {
    const sleep = await Promise.race([clock.nextSleep(), run.then(() => undefined)]);
    if (sleep) clock.advance(sleep.ms);
  }
  return { outcome: await run, delays: clock.delays };
}

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

  describe('retry loop', () => {
    it('resolves with the value of a first successful attempt, sync or async', async () => {
      const signal = new AbortController().signal;
      assert.deepEqual(await retry({ retries: 3, backoff: NO_BACKOFF, signal, what: 'x', attempt: () => 7 }), { ok: true, value: 7, attempts: 1 });
      assert.deepEqual(await retry({ retries: 3, backoff: NO_BACKOFF, signal, what: 'x', attempt: async () => 8 }), { ok: true, value: 8, attempts: 1 });
    });

    it('retries failures with exponential delays and reports each attempt and retry', async () => {
      const seen: string[] = [];
      let n = 0;
      const { outcome, delays } = await retryOnFakeTime({
        retries: 5,
        backoff: normalizeBackoff(100),
        attempt: (_signal, attempt) => {
          if (++n < 4) throw new Error(`failure ${attempt}`);
          return 'up';
        },
        onAttempt: (attempt) => seen.push(`attempt ${attempt}`),
        onRetry: (attempt, delay, error) => seen.push(`retry ${attempt} in ${delay}: ${(error as Error).message}`),
      });
      assert.deepEqual(outcome, { ok: true, value: 'up', attempts: 4 });
      assert.deepEqual(delays, [100, 200, 400]);
      assert.deepEqual(seen, ['attempt 1', 'retry 1 in 100: failure 1', 'attempt 2', 'retry 2 in 200: failure 2', 'attempt 3', 'retry 3 in 400: failure 3', 'attempt 4']);
    });

    it('gives up after the retries with the last error', async () => {
      let n = 0;
      const { outcome, delays } = await retryOnFakeTime({ retries: 2, backoff: normalizeBackoff({ initial: 10, factor: 3 }), attempt: () => Promise.reject(new Error(`failure ${++n}`)) });
      assert.equal(outcome.ok, false);
      assert.deepEqual(outcome.ok ? undefined : [(outcome.error as Error).message, outcome.attempts, outcome.aborted], ['failure 3', 3, false]);
      assert.deepEqual(delays, [10, 30]);
    });

    it('makes no attempt when the signal is already aborted', async () => {
      const reason = new Error('cancelled');
      let calls = 0;
      const outcome = await retry({ retries: 3, backoff: NO_BACKOFF, signal: AbortSignal.abort(reason), what: 'x', attempt: () => ++calls });
      assert.deepEqual(outcome, { ok: false, error: reason, attempts: 0, aborted: true });
      assert.equal(calls, 0);
    });

    it('ends a running attempt on abort: the attempt sees its signal aborted, the loop ends with the reason', async () => {
      const controller = new AbortController();
      const entered = deferred<AbortSignal>();
      const run = retry({ retries: 3, backoff: NO_BACKOFF, signal: controller.signal, what: 'x', attempt: (signal) => (entered.resolve(signal), new Promise(() => undefined)) });
      const signal = await entered.promise;
      const reason = new Error('SIGTERM');
      controller.abort(reason);
      assert.deepEqual(await run, { ok: false, error: reason, attempts: 1, aborted: true });
      assert.equal(signal.aborted, true);
    });

    it('ends a backoff sleep on abort without another attempt', async () => {
      const clock = new FakeClock();
      const controller = new AbortController();
      let calls = 0;
      const run = retry({ retries: 3, backoff: normalizeBackoff(1_000), signal: controller.signal, what: 'x', clock, attempt: () => Promise.reject(new Error(`failure ${++calls}`)) });
      const sleep = await clock.nextSleep();
      controller.abort(new Error('stop'));
      const outcome = await run;
      assert.deepEqual([sleep.outcome, calls, outcome.ok, outcome.attempts], ['aborted', 1, false, 1]);
    });

    it('aborts an attempt that outlives the timeout with a TimeoutError, even one that ignores its signal', async () => {
      const signals: AbortSignal[] = [];
      const outcome = await retry({ retries: 1, backoff: NO_BACKOFF, timeout: 5, signal: new AbortController().signal, what: '`db` start attempt', attempt: (signal) => (signals.push(signal), new Promise(() => undefined)) });
      assert.equal(outcome.ok, false);
      const error = outcome.ok ? undefined : (outcome.error as DOMException);
      assert.deepEqual([error?.name, error?.message, outcome.attempts], ['TimeoutError', '`db` start attempt timed out after 5ms', 2]);
      assert.ok(signals.every((s) => s.aborted));
    });

    it('hands an attempt that succeeds after it was given up on to onAbandoned', async () => {
      const late = deferred<string>();
      const abandoned = deferred<string>();
      const controller = new AbortController();
      const run = retry({ retries: 0, backoff: NO_BACKOFF, signal: controller.signal, what: 'x', attempt: () => late.promise, onAbandoned: (v) => abandoned.resolve(v) });
      controller.abort();
      assert.equal((await run).ok, false);
      late.resolve('connection');
      assert.equal(await abandoned.promise, 'connection');
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
