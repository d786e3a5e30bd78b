import type { LifecycleEvents } from '../events';
import type { Logger } from '../logger';
import type { NodeTable } from './node';
import { clampDelay } from '../delay';
import { createController, timeoutError, type Clock } from './retry';

/** What a run (boot or shutdown) needs from its container. */
export interface RunContext {
  readonly events: LifecycleEvents;
  readonly clock: Clock;
  /** The container's services: the run's members are among them. */
  readonly table: NodeTable;
  /** Where the boot's warning about a start that never settles goes (none when undefined or returning undefined). */
  readonly log?: () => Logger | false | undefined;
  /** After how long a start without startTimeout is named in a warning; `false`: never. */
  readonly startWarningMs?: number | false;
}

/**
 * The common part of a boot and a shutdown: one abort controller fed by the callers' signals and
 * timeouts, a completion promise that always resolves, and cleanup of every listener and timer.
 */
export abstract class Run {
  readonly #controller = createController();
  readonly #disposers: (() => void)[] = [];
  readonly #startedAt: number;
  #done = false;
  #aborted = false;
  #resolve!: () => void;
  /** Resolves (never rejects) once the run is over. */
  readonly done: Promise<void>;
  protected readonly ctx: RunContext;
  /** The run's signal: aborted by any linked caller signal or timeout, or by {@link abort}. */
  readonly signal: AbortSignal;

  constructor(ctx: RunContext) {
    this.ctx = ctx;
    // read once: every attempt takes it, and AbortController's getter checks its receiver each time
    this.signal = this.#controller.signal;
    this.#startedAt = ctx.clock.now();
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** True once the run is aborted: its signal's `aborted`, read without AbortSignal's receiver check. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The container's clock: every attempt of the run reads time and sleeps through it. */
  get clock(): Clock {
    return this.ctx.clock;
  }

  get finished(): boolean {
    return this.#done;
  }

  get elapsedMs(): number {
    return this.ctx.clock.now() - this.#startedAt;
  }

  /** Makes `signal` and `timeout` (ms) cancel this run. */
  link(signal: AbortSignal | undefined, timeout: number | undefined, what: string): void {
    if (this.#done) return;
    if (signal?.aborted) return this.abort(signal.reason);
    if (signal) {
      const onAbort = (): void => this.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#disposers.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (timeout !== undefined && Number.isFinite(timeout)) {
      const timer = setTimeout(() => this.abort(timeoutError(what, timeout)), clampDelay(timeout));
      this.#disposers.push(() => clearTimeout(timer));
    }
  }

  /** Cancels the run: running attempts see an aborted signal, unsettled services fail at once. */
  abort(reason: unknown): void {
    if (this.#done || this.#aborted) return;
    this.#aborted = true;
    this.#controller.abort(reason);
    this.onAbort(this.signal.reason);
    this.finish();
  }

  /** Fails every unsettled member with the abort reason. */
  protected abstract onAbort(reason: unknown): void;

  protected finish(): void {
    if (this.#done) return;
    this.#done = true;
    for (const dispose of this.#disposers.splice(0)) dispose();
    this.#resolve();
  }
}
