/** One held lease: its `lost` signal, and a release that runs once. */
import type { Lease } from './lock';

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
    this.#released ??= this.#release().catch((err: unknown) => {
      if (!this.#controller.signal.aborted) throw err;
    });
    return this.#released;
  }
}
