import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttemptRun, type AttemptHost, type Operation, type Outcome } from '../../../lib/lifecycle/attempt';
import { normalizeBackoff, onAbort, realClock, type BackoffPolicy, type Clock } from '../../../lib/lifecycle/retry';
import { deferred } from '../../support/deferred';
import { FakeClock } from '../../support/fake-clock';

const NO_BACKOFF = normalizeBackoff(undefined);

interface LoopOptions {
  readonly retries: number;
  readonly backoff: BackoffPolicy;
  readonly signal: AbortSignal;
  readonly timeout?: number;
  readonly what: string;
  readonly clock?: Clock;
  readonly attempt: (signal: AbortSignal, attempt: number) => unknown;
  readonly onAttempt?: (attempt: number) => void;
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  readonly onAbandoned?: (value: unknown) => void;
}

/** One {@link AttemptRun} under a host that does what a boot does: aborts the run when its signal aborts. */
function attempts(o: LoopOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const { signal } = o;
    const host: AttemptHost<null> = {
      signal,
      get aborted() {
        return signal.aborted;
      },
      clock: o.clock ?? realClock,
      began: (_, n) => o.onAttempt?.(n),
      retrying: (_, n, delay, error) => o.onRetry?.(n, delay, error),
      settled: (_, outcome) => resolve(outcome),
      late: (_, value) => o.onAbandoned?.(value),
    };
    const op: Operation<null> = {
      phase: 'start',
      name: () => 'x',
      retries: () => o.retries,
      backoff: () => o.backoff,
      timeout: () => o.timeout,
      what: () => o.what,
      call: (_, s, n) => o.attempt(s, n),
      track: () => undefined,
    };
    const run = new AttemptRun(null, host, op, 0);
    onAbort(signal, () => run.abort(signal.reason));
    run.begin();
  });
}

/** Runs {@link attempts} with a fake clock that jumps over every sleep as soon as it is asked for. */
async function retryOnFakeTime(options: Omit<LoopOptions, 'clock' | 'what' | 'signal'> & { signal?: AbortSignal }, clock = new FakeClock()) {
  const signal = options.signal ?? new AbortController().signal;
  const run = attempts({ what: 'test attempt', ...options, signal, clock });
  let done = false;
  void run.finally(() => (done = true));
  while (!done) {
    const sleep = await Promise.race([clock.nextSleep(), run.then(() => undefined)]);
    if (sleep) clock.advance(sleep.ms);
  }
  return { outcome: await run, delays: clock.delays };
}

describe('AttemptRun', () => {
  describe('the attempt path', () => {
    it('resolves with the value of a first successful attempt, sync or async', async () => {
      const signal = new AbortController().signal;
      assert.deepEqual(await attempts({ retries: 3, backoff: NO_BACKOFF, signal, what: 'x', attempt: () => 7 }), { ok: true, value: 7, attempts: 1 });
      assert.deepEqual(await attempts({ retries: 3, backoff: NO_BACKOFF, signal, what: 'x', attempt: async () => 8 }), { ok: true, value: 8, attempts: 1 });
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
      const outcome = await attempts({ retries: 3, backoff: NO_BACKOFF, signal: AbortSignal.abort(reason), what: 'x', attempt: () => ++calls });
      assert.deepEqual(outcome, { ok: false, error: reason, attempts: 0, aborted: true });
      assert.equal(calls, 0);
    });

    it('ends a running attempt on abort: the attempt sees its signal aborted, the loop ends with the reason', async () => {
      const controller = new AbortController();
      const entered = deferred<AbortSignal>();
      const run = attempts({ retries: 3, backoff: NO_BACKOFF, signal: controller.signal, what: 'x', attempt: (signal) => (entered.resolve(signal), new Promise(() => undefined)) });
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
      const run = attempts({ retries: 3, backoff: normalizeBackoff(1_000), signal: controller.signal, what: 'x', clock, attempt: () => Promise.reject(new Error(`failure ${++calls}`)) });
      const sleep = await clock.nextSleep();
      controller.abort(new Error('stop'));
      const outcome = await run;
      assert.deepEqual([sleep.outcome, calls, outcome.ok, outcome.attempts], ['aborted', 1, false, 1]);
    });

    it('aborts an attempt that outlives the timeout with a TimeoutError, even one that ignores its signal', async () => {
      const signals: AbortSignal[] = [];
      const outcome = await attempts({ retries: 1, backoff: NO_BACKOFF, timeout: 5, signal: new AbortController().signal, what: '`db` start attempt', attempt: (signal) => (signals.push(signal), new Promise(() => undefined)) });
      assert.equal(outcome.ok, false);
      const error = outcome.ok ? undefined : (outcome.error as DOMException);
      assert.deepEqual([error?.name, error?.message, outcome.attempts], ['TimeoutError', '`db` start attempt timed out after 5ms', 2]);
      assert.ok(signals.every((s) => s.aborted));
    });

    it('hands an attempt that succeeds after it was given up on to onAbandoned', async () => {
      const late = deferred<string>();
      const abandoned = deferred<string>();
      const controller = new AbortController();
      const run = attempts({ retries: 0, backoff: NO_BACKOFF, signal: controller.signal, what: 'x', attempt: () => late.promise, onAbandoned: (v) => abandoned.resolve(v as string) });
      controller.abort();
      assert.equal((await run).ok, false);
      late.resolve('connection');
      assert.equal(await abandoned.promise, 'connection');
    });
  });

});
