import type { Clock } from '../../lib/lifecycle/retry';

/** A sleep the code under test asked the fake clock for. */
export interface Sleep {
  readonly ms: number;
  readonly signal: AbortSignal;
  /** When it ends, in fake time. */
  readonly due: number;
  /** 'pending', then 'elapsed' (the clock reached `due`) or 'aborted' (its signal aborted first). */
  readonly outcome: 'pending' | 'elapsed' | 'aborted';
}

interface PendingSleep extends Sleep {
  outcome: 'pending' | 'elapsed' | 'aborted';
  readonly end: (outcome: 'elapsed' | 'aborted') => void;
}

/**
 * A {@link Clock} whose time only moves when the test says so: retries and backoff run without
 * waiting, and every sleep is recorded with its length.
 */
export class FakeClock implements Clock {
  readonly sleeps: Sleep[] = [];
  #now = 0;
  #random: number;
  #waiters: ((sleep: Sleep) => void)[] = [];

  constructor(options: { readonly random?: number } = {}) {
    this.#random = options.random ?? 0;
  }

  now(): number {
    return this.#now;
  }

  random(): number {
    return this.#random;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => sleep.end('aborted');
      const sleep: PendingSleep = {
        ms,
        signal,
        due: this.#now + ms,
        outcome: 'pending',
        end: (outcome) => {
          if (sleep.outcome !== 'pending') return;
          sleep.outcome = outcome;
          signal.removeEventListener('abort', onAbort);
          if (outcome === 'elapsed') resolve();
          else reject(signal.reason);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleeps.push(sleep);
      for (const waiter of this.#waiters.splice(0)) waiter(sleep);
    });
  }

  /** Moves time forward, ending every sleep that is due. */
  advance(ms: number): void {
    this.#now += ms;
    for (const sleep of this.sleeps as PendingSleep[]) if (sleep.outcome === 'pending' && sleep.due <= this.#now) sleep.end('elapsed');
  }

  /** Resolves with the next sleep asked for (or the oldest pending one, if there is one already). */
  nextSleep(): Promise<Sleep> {
    const pending = this.sleeps.find((s) => s.outcome === 'pending');
    if (pending) return Promise.resolve(pending);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Lengths of every sleep so far, in order. */
  get delays(): number[] {
    return this.sleeps.map((s) => s.ms);
  }
}
