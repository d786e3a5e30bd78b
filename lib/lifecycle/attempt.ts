import type { BackoffOptions } from '../../decorators/metadata';
import { attemptChannel, traceTry } from '../ops/attempt-channels';
import { backoffDelay, deadline, isThenable, normalizeBackoff, onAbort, type Clock } from './retry';

/** How one service's attempts ended: exactly one per {@link AttemptRun}, and it never throws. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number; readonly aborted: boolean };

/**
 * What a run of attempts does on each try: start a service (construct, then `onStart`) or stop
 * it (`onStop`). `call` may throw or return anything, a value whose getters throw included: the
 * runner turns every way it ends into one outcome.
 */
export interface Operation<S> {
  /** Which tracing channel its tries are published on (`bandmaster:start` or `bandmaster:stop`). */
  readonly phase: 'start' | 'stop';
  /** The subject's name, for the tracing channel's context. */
  name(subject: S): string;
  /** Retries after the first try. */
  retries(subject: S): number;
  backoff(subject: S): number | BackoffOptions | undefined;
  /** Time limit of one try in ms (its signal then aborts with a `TimeoutError`); undefined: none. */
  timeout(subject: S): number | undefined;
  /** Names the operation in timeout messages ("`db` start attempt"); asked only when there is a time limit. */
  what(subject: S): string;
  /**
   * One try. A try whose value is known before its promise settles (a start: the instance is
   * built, its `onStart` runs) hands it to `run.carry` and returns the promise alone: the run then
   * succeeds with the carried value, without a promise of its own to carry it.
   */
  call(subject: S, signal: AbortSignal, attempt: number, run: AttemptRun<S>): unknown;
  /**
   * Records `running`, the settle of a try (resolving to whether it succeeded), as the subject's
   * try in flight (`inFlight`), or clears it once it settled (unless a later try replaced it).
   */
  track(subject: S, running: Promise<boolean>, inFlight: boolean): void;
}

/** The run (a boot or a shutdown) the attempts belong to, told of every step. */
export interface AttemptHost<S> {
  /** The run's signal: every try sees it (or a deadline linked to it). */
  readonly signal: AbortSignal;
  /** Whether the run was aborted: read without AbortSignal's receiver check. */
  readonly aborted: boolean;
  readonly clock: Clock;
  /** Try number `attempt` begins. */
  began(subject: S, attempt: number): void;
  /** Try `attempt` failed with `error`; the next begins after `delayMs`. */
  retrying(subject: S, attempt: number, delayMs: number, error: unknown): void;
  /** The attempts ended: called once per run, with its one outcome. */
  settled(subject: S, outcome: Outcome): void;
  /**
   * Try `attempt` succeeded after the run gave up on it (its deadline passed, the run was
   * aborted, a later try took over): `value` is not adopted and needs cleaning up.
   */
  late(subject: S, value: unknown, attempt: number, run: AttemptRun<S>): void;
}

/**
 * The one attempt path for starts and stops: calls the operation, races each try against its
 * deadline and the run's abort, retries with backoff, and ends in exactly one {@link Outcome}
 * handed to {@link AttemptHost.settled}. Every exit goes through `#end`, guarded by `#outcome`, so
 * a result that arrives after the run moved on cannot settle it twice: it is {@link AttemptHost.late}.
 *
 * The common case (no retries, no time limit) takes the same path: no deadline and no abort
 * listener are made for it; an abort reaches it through {@link AttemptRun.abort}, which the run
 * calls for each of its members.
 */
export class AttemptRun<S> {
  /** The number of the current try, from 1. */
  attempts = 0;
  #outcome: Outcome | undefined = undefined;
  /** The last try that ended (failed, or settled the run): a second ending of it is late or ignored. */
  #ended = 0;
  #limit: { readonly signal: AbortSignal; dispose(): void } | undefined = undefined;
  #carried: unknown = undefined;
  #carrying = false;

  constructor(
    readonly subject: S,
    private readonly host: AttemptHost<S>,
    private readonly op: Operation<S>,
    /** When the run began (the host's clock). */
    readonly since: number,
  ) {}

  /** The outcome, once settled. */
  get outcome(): Outcome | undefined {
    return this.#outcome;
  }

  /** Makes `value` what the current try succeeds with, once the promise its `call` returns resolves. */
  carry(value: unknown): void {
    this.#carried = value;
    this.#carrying = true;
  }

  /** Runs the first try. */
  begin(): void {
    this.#try();
  }

  /** Ends the run with an aborted outcome, unless it already ended; a try still running becomes late. */
  abort(reason: unknown): void {
    if (this.#outcome === undefined) this.#end({ ok: false, error: reason, attempts: this.attempts, aborted: true });
  }

  #try(): void {
    if (this.#outcome !== undefined) return;
    if (this.host.aborted) return this.#end({ ok: false, error: this.host.signal.reason, attempts: this.attempts, aborted: true });
    const n = ++this.attempts;
    this.host.began(this.subject, n);
    let signal = this.host.signal;
    const timeout = this.op.timeout(this.subject);
    if (timeout !== undefined) {
      const limit = (this.#limit = deadline(signal, timeout, this.op.what(this.subject)));
      signal = limit.signal;
      onAbort(signal, () => this.#failed(n, limit.signal.reason));
    }
    let value: unknown;
    try {
      const channel = attemptChannel(this.op.phase);
      value = channel === undefined ? this.op.call(this.subject, signal, n, this) : traceTry(channel, { service: this.op.name(this.subject), attempt: n }, () => this.op.call(this.subject, signal, n, this));
    } catch (error) {
      this.#carrying = false;
      this.#carried = undefined;
      return this.#failed(n, error);
    }
    if (this.#carrying) {
      this.#carrying = false;
      const carried = this.#carried;
      this.#carried = undefined;
      if (!isThenable(value)) return this.#succeeded(n, carried);
      return this.#await(n, value, carried, true);
    }
    if (!isThenable(value)) return this.#succeeded(n, value);
    this.#await(n, value, undefined, false);
  }

  /** Settles try `n` from `value`, a thenable; with `carrying`, its success is `carried`. */
  #await(n: number, value: PromiseLike<unknown>, carried: unknown, carrying: boolean): void {
    // Promise.resolve turns a `then` getter that throws (or a revoked Proxy) into a rejection
    const running: Promise<boolean> = Promise.resolve(value).then(
      (v) => {
        this.op.track(this.subject, running, false);
        this.#succeeded(n, carrying ? carried : v);
        return true;
      },
      (error: unknown) => {
        this.op.track(this.subject, running, false);
        this.#failed(n, error);
        return false;
      },
    );
    this.op.track(this.subject, running, true);
  }

  #succeeded(n: number, value: unknown): void {
    if (this.#outcome !== undefined || n !== this.attempts || this.#ended === n) return this.host.late(this.subject, value, n, this);
    // a try that returned after its run was aborted (by the try itself, even) lost the race
    if (this.host.aborted) {
      this.#end({ ok: false, error: this.host.signal.reason, attempts: n, aborted: true });
      return this.host.late(this.subject, value, n, this);
    }
    this.#end({ ok: true, value, attempts: n });
  }

  #failed(n: number, error: unknown): void {
    if (this.#outcome !== undefined || n !== this.attempts || this.#ended === n) return;
    this.#ended = n;
    if (this.host.aborted) return this.#end({ ok: false, error: this.host.signal.reason, attempts: n, aborted: true });
    if (n > this.op.retries(this.subject)) return this.#end({ ok: false, error, attempts: n, aborted: false });
    this.#dispose();
    const { clock, signal } = this.host;
    const delay = backoffDelay(normalizeBackoff(this.op.backoff(this.subject)), n, clock.random);
    this.host.retrying(this.subject, n, delay, error);
    // no backoff still yields a macrotask: timers (the run's own timeout) and I/O fire between tries
    if (delay > 0) clock.sleep(delay, signal).then(() => this.#try(), () => this.abort(signal.reason));
    else setImmediate(() => this.#try());
  }

  #end(outcome: Outcome): void {
    this.#outcome = outcome;
    this.#ended = this.attempts;
    this.#dispose();
    this.host.settled(this.subject, outcome);
  }

  #dispose(): void {
    this.#limit?.dispose();
    this.#limit = undefined;
  }
}

/**
 * Keeps the hidden class of {@link AttemptRun} (and its field types) alive between runs. A run's
 * attempts are short-lived and often the container is their only holder: once every one is
 * garbage, a full GC drops V8's hidden classes for them, and at the next boot every function
 * optimized against them deoptimizes and the field types are learned again (`host` holds a boot,
 * then a shutdown: each time a "wrong map" deoptimization). Measured on 10,000 zero-latency
 * services booted and stopped back to back with a GC between: 40-50 ms per boot without this,
 * 22-28 with it (the scheduler before the one-attempt rebuild: 18-21). Two runs on placeholder
 * objects of different shapes make the field types general from the start; exported so that the
 * module's exports hold them.
 */
export const HIDDEN_CLASS_ANCHOR: readonly AttemptRun<unknown>[] = [placeholderRun({ subject: 1 }), placeholderRun([0])];

function placeholderRun(shape: object): AttemptRun<unknown> {
  return new AttemptRun<unknown>(shape, shape as AttemptHost<unknown>, shape as Operation<unknown>, 0.5);
}
