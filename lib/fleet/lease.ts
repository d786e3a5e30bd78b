/** One held lease: its `lost` signal, and a release that runs once. */
import { bounded } from '../lifecycle/retry';
import type { Lease } from './lock';

/**
 * How long a release waits for its server. Past it the release gives up: the server gives the lock
 * back on its own (a Redis lease at its expiry, a PostgreSQL session lock when its connection
 * ends), and a stop behind a network that does not answer must not wait for TCP to give up.
 */
export const RELEASE_MS = 2_000;

/** The engine-side handle of a {@link Lease}. */
export class HeldLease implements Lease {
  readonly #controller = new AbortController();
  readonly #release: () => Promise<void>;
  #released: Promise<void> | undefined;

  constructor(
    readonly key: string,
    readonly token: number,
    release: () => Promise<void>,
  ) {
    this.#release = release;
  }

  get lost(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether {@link release} was called. */
  get released(): boolean {
    return this.#released !== undefined;
  }

  /** Marks the lease lost (once; later reasons are ignored). */
  lose(reason: Error): void {
    if (!this.#controller.signal.aborted && this.#released === undefined) this.#controller.abort(reason);
  }

  release(): Promise<void> {
    // a lost lease is released best effort: the server may already have dropped it
    this.#released ??= answered(this.#release(), this.key).catch((err: unknown) => {
      if (!this.#controller.signal.aborted) throw err;
    });
    return this.#released;
  }
}

/** `release`, or a rejection naming the lock once it took {@link RELEASE_MS} (the lifecycle's `bounded` wait). */
async function answered(release: Promise<void>, key: string): Promise<void> {
  if (!(await bounded(release.then(() => true), RELEASE_MS))) {
    throw new Error(`the release of lock "${key}" got no answer within ${RELEASE_MS} ms; the server gives it back on its own`);
  }
}
