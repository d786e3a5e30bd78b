// Building blocks of the fault-injection specs: hooks that misbehave on purpose, and helpers that
// wait for outcomes without tight timing.
import assert from 'node:assert/strict';

/** How a hook misbehaves. */
export type Fault = 'throws' | 'rejects' | 'hangs' | 'ignores-abort' | 'resolves-after-abort';

/** What cancels a hook that does not finish on its own. */
export type Trigger = 'attempt timeout' | 'run timeout' | 'caller abort';

/** Faults that need something else to end the attempt. */
export const STUCK_FAULTS = ['hangs', 'ignores-abort', 'resolves-after-abort'] as const;
export const FAILING_FAULTS = ['throws', 'rejects'] as const;
export const TRIGGERS: readonly Trigger[] = ['attempt timeout', 'run timeout', 'caller abort'];

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A hook that fails in one chosen way, counting its calls. `ignores-abort` hooks resolve only when
 * {@link FaultyHook.release} is called; `mode = 'ok'` makes later calls succeed.
 */
export class FaultyHook {
  calls = 0;
  /** Calls that resolved after the container had given up on them. */
  lateResolutions = 0;
  mode: 'fault' | 'ok' = 'fault';
  readonly errors: Error[] = [];
  readonly #entered = deferred();
  readonly #release = deferred();
  #released = false;

  constructor(readonly fault: Fault) {}

  /** Resolves once the hook has been called. */
  get entered(): Promise<void> {
    return this.#entered.promise;
  }

  get released(): boolean {
    return this.#released;
  }

  release(): void {
    this.#released = true;
    this.#release.resolve();
  }

  run<T>(signal: AbortSignal | undefined, value: T): T | Promise<T> {
    this.calls++;
    this.#entered.resolve();
    if (this.mode === 'ok') return value;
    switch (this.fault) {
      case 'throws':
        throw this.#error();
      case 'rejects':
        return Promise.reject(this.#error());
      case 'hangs':
        return new Promise<T>(() => undefined);
      case 'ignores-abort':
        return this.#release.promise.then(() => this.#late(value));
      case 'resolves-after-abort':
        assert.ok(signal, 'resolves-after-abort needs a signal');
        return new Promise<T>((resolve) => signal.addEventListener('abort', () => resolve(this.#late(value)), { once: true }));
    }
  }

  #error(): Error {
    const error = new Error(`boom ${this.errors.length + 1}`);
    this.errors.push(error);
    return error;
  }

  #late<T>(value: T): T {
    this.lateResolutions++;
    return value;
  }
}

/** Settles like `promise`, or rejects when it has not settled within `ms` (a hang is a bug). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection of `promise`, failing when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return assert.fail('expected a rejection');
}

/** Waits until `condition()` holds, polling; fails after `ms`. */
export async function eventually(condition: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`${what} did not hold within ${ms}ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets pending callbacks, microtasks and short timers run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 2));
}

/** The name of an error-like cause, or undefined. */
export function causeName(error: unknown): string | undefined {
  return error instanceof Error || error instanceof DOMException ? error.name : undefined;
}
