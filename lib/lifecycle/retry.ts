import { setMaxListeners } from 'node:events';
import type { BackoffOptions } from '../../decorators/metadata';
import { clampDelay } from '../delay';

/** A fully specified backoff policy. */
export interface BackoffPolicy {
  readonly initial: number;
  readonly factor: number;
  readonly max: number;
  readonly jitter: number;
}

/** Time source and sleep, injectable so tests run retries without waiting. */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
  /** Resolves after `ms`, rejects with `signal.reason` as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Random number in [0, 1), for jitter. */
  random(): number;
}

/** The real clock: `performance.now`, `setTimeout`, `Math.random`. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => abortableSleep(ms, signal),
  random: () => Math.random(),
};

/** Fills in backoff defaults: factor 2, no cap, no jitter. */
export function normalizeBackoff(backoff: number | BackoffOptions | undefined): BackoffPolicy {
  if (backoff === undefined) return { initial: 0, factor: 2, max: Infinity, jitter: 0 };
  if (typeof backoff === 'number') return { initial: backoff, factor: 2, max: Infinity, jitter: 0 };
  return {
    initial: backoff.initial,
    factor: backoff.factor ?? 2,
    max: backoff.max ?? Infinity,
    jitter: backoff.jitter ?? 0,
  };
}

/** Delay before retry number `retry` (1 for the first retry). */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: () => number = Math.random): number {
  if (!(policy.initial > 0)) return 0;
  // grows, then stays at its cap: an overflow to Infinity is clamped, never wrapped to 1 ms
  const raw = Math.min(policy.initial * policy.factor ** (retry - 1), policy.max);
  const jittered = policy.jitter > 0 ? raw * (1 - policy.jitter * random()) : raw;
  return clampDelay(Math.round(jittered));
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      resolve();
    }, clampDelay(ms));
    const off = onAbort(signal, () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** Listeners of each signal the container shares among many attempts, behind one real listener. */
const fanOuts = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `listener` once when `signal` aborts; returns the function that unsubscribes. Like
 * `addEventListener('abort', listener, { once: true })`, but O(1): Node's EventTarget walks every
 * listener of a signal on each add and remove, and a boot's signal has one per running attempt.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let listeners = fanOuts.get(signal);
  if (!listeners) {
    const set = new Set<() => void>();
    listeners = set;
    fanOuts.set(signal, set);
    signal.addEventListener('abort', () => {
      fanOuts.delete(signal);
      // a snapshot, as EventTarget does: a listener added while dispatching is not called
      for (const l of [...set]) if (set.delete(l)) l();
    }, { once: true });
  }
  const own = listeners;
  own.add(listener);
  return () => void own.delete(listener);
}

/** The error an attempt's signal aborts with when its time limit passes. */
export function timeoutError(what: string, ms: number): DOMException {
  return new DOMException(`${what} timed out after ${ms}ms`, 'TimeoutError');
}

/**
 * An AbortController whose signal carries no listener limit: the container hands one run signal
 * to every hook of a boot, and each hook may listen to it.
 */
export function createController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** What {@link deadline} returns: the step's signal, and how to end the deadline. */
export interface Deadline {
  /** Aborts with the outer signal's reason, or with a `TimeoutError` once the time is up. */
  readonly signal: AbortSignal;
  /** Clears the timer and the link to the outer signal: call it when the step is over, however it ended. */
  dispose(): void;
}

/**
 * A signal for one step of a provider's start (a connect, a handshake) that aborts when `outer`
 * (the attempt's signal) does, or with a `TimeoutError` ("`what` timed out after `ms`ms") once
 * `ms` pass; for a provider whose client library has no timeout of its own. The lifecycle's own
 * time limits are made with it too.
 *
 * @example
 * ```ts
 * const step = deadline(context.signal, config.connectTimeout, 'queue connect');
 * try {
 *   await abortable(client.connect(), step.signal, () => client.destroy());
 * } finally {
 *   step.dispose();
 * }
 * ```
 */
export function deadline(outer: AbortSignal | undefined, ms: number, what: string): Deadline {
  const controller = createController();
  const timer = setTimeout(() => controller.abort(timeoutError(what, ms)), clampDelay(ms));
  let off = (): void => undefined;
  if (outer?.aborted) controller.abort(outer.reason);
  else if (outer) off = onAbort(outer, () => controller.abort(outer.reason));
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      off();
    },
  };
}

/**
 * Settles with `value` or, as soon as `signal` aborts, rejects with its reason: a hook that
 * ignores its signal cannot hold the caller.
 */
export function raceAbort<T>(value: T | PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (!isThenable(value)) return Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const off = onAbort(signal, () => reject(signal.reason));
    Promise.resolve(value).then(
      (v) => {
        off();
        resolve(v);
      },
      (e: unknown) => {
        off();
        reject(e);
      },
    );
  });
}

/** True for promises and promise-likes. */
export function isThenable<T>(value: unknown): value is PromiseLike<T> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    // a throwing `then` getter (or a revoked Proxy): `Promise.resolve(value)` turns the same throw
    // into a rejection, which is how the caller then sees it
    return true;
  }
}

/** `previous`'s outcome, or `false` once `ms` passed. */
export function bounded(previous: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, clampDelay(ms), false)));
  return Promise.race([previous, late]).finally(() => clearTimeout(timer));
}
