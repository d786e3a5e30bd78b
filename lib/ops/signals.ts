import { BandmasterError, describeCause, describeValue } from '../errors';
import { clampDelay } from '../delay';
import type { LifecycleEvents } from '../events';
import { getGlobalLogger, type Logger } from '../logger';
import type { LifecycleReport } from './report';

/** Options of `container.handleSignals()`. */
export interface SignalOptions {
  /** Time limit of the shutdown in ms, counted from the end of the drain; default 10000 (Kubernetes gives 30s before SIGKILL). */
  readonly timeout?: number;
  /**
   * Time in ms between the signal and the stop, with readiness already off, so that load
   * balancers drop the instance while it still serves; default 0. A second signal ends it early.
   */
  readonly drainDelay?: number;
  /** The signals to handle (names such as `'SIGTERM'`, as `NodeJS.Signals`); default SIGINT and SIGTERM. */
  readonly signals?: readonly `SIG${string}`[];
  /** Where the handler logs; default the global logger, `false` for none. */
  readonly logger?: Logger | false;
  /** Ends the process; default `process.exit`. Tests and embedders replace it. */
  readonly exit?: (code: number) => void;
}

/** What the signal handler needs from a container. */
export interface Stoppable {
  /** Stops everything, as `container.stopAll()` does. */
  stopAll(options?: { readonly timeout?: number }): Promise<LifecycleReport>;
  /** Its lifecycle events: the readiness probes of `healthHandler` follow them, and turn off on the signal. */
  readonly events?: LifecycleEvents;
}

/** Extra time after the shutdown deadline before the process is ended regardless. */
const GRACE_MS = 1_000;

/**
 * Installs SIGINT/SIGTERM handlers that shut the container down. On the first signal readiness
 * turns false at once (`probeReadiness`, `/readyz`), the handler waits `drainDelay` ms while the
 * services still run, then stops every service in reverse dependency order within `timeout`,
 * and exits 0 on a clean stop and 1 otherwise. A second signal during the drain ends the drain
 * and starts the stop at once; a signal during the stop exits at once with 128 + its number.
 *
 * @returns a function that removes the handlers.
 * @throws BandmasterError `InvalidArgument` when `timeout` is not a positive number of ms,
 * `drainDelay` not a number of ms >= 0, or `signals` not a list of signal names.
 * @example
 * ```ts
 * await container.startAll();
 * container.handleSignals({ timeout: 20_000, drainDelay: 5_000 });
 * ```
 */
export function handleSignals(container: Stoppable, options: SignalOptions = {}): () => void {
  const { timeout, drainDelay, signals, constants } = checkOptions(options);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = (): Logger | undefined => (options.logger === undefined ? getGlobalLogger() : options.logger) || undefined;
  let phase: 'serving' | 'draining' | 'stopping' = 'serving';
  let exited = false;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let endDrain: () => void = () => undefined;
  const end = (code: number): void => {
    if (exited) return;
    exited = true;
    exit(code);
  };
  const stop = (signal: NodeJS.Signals, message: string): void => {
    phase = 'stopping';
    clearTimeout(drainTimer);
    log()?.info(message, { signal, timeoutMs: timeout });
    stopContainer(container, timeout, (error) => {
      endDrain();
      if (error === undefined) log()?.info('services stopped, exiting', { signal });
      else log()?.error('shutdown failed, exiting', { signal, error: describeCause(error) });
      end(error === undefined ? 0 : 1);
    });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (phase === 'stopping') {
      log()?.warn('received a second signal, exiting now', { signal });
      return end(128 + (constants.signals[signal] ?? 0));
    }
    if (phase === 'draining') {
      log()?.warn('received a second signal, ending the drain', { signal });
      return stop(signal, 'stopping services...');
    }
    phase = 'draining';
    endDrain = drainReadiness(container.events);
    if (drainDelay === 0) return stop(signal, 'received signal, stopping services...');
    log()?.info('received signal, readiness off, draining before the stop...', { signal, drainDelayMs: drainDelay, timeoutMs: timeout });
    drainTimer = setTimeout(() => stop(signal, 'drain over, stopping services...'), clampDelay(drainDelay));
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}

/**
 * Runs the stop, bounded by `timeout` plus a grace period; `done` gets undefined after a clean
 * stop, else the error (a timeout error when the stop did not settle in time).
 */
function stopContainer(container: Stoppable, timeout: number, done: (error: unknown) => void): void {
  let settled = false;
  const settle = (error: unknown): void => {
    if (settled) return;
    settled = true;
    clearTimeout(guard);
    done(error);
  };
  // a shutdown that cannot settle (a bug, a blocked hook) must not keep the process past its deadline
  const guard = setTimeout(() => settle(new DOMException(`the stop did not settle within ${timeout + GRACE_MS} ms`, 'TimeoutError')), clampDelay(timeout + GRACE_MS));
  guard.unref();
  // a stopAll that throws instead of rejecting (a hand-written Stoppable) must not escape the signal handler
  Promise.resolve().then(() => container.stopAll({ timeout })).then(
    () => settle(undefined),
    (err: unknown) => settle(err ?? new Error('stopAll() rejected')),
  );
}

/** Turns the container's readiness off until the stop is over; the returned function ends the drain. */
function drainReadiness(events: LifecycleEvents | undefined): () => void {
  if (!events) return () => undefined;
  // the probes' module loads here, not with bandmaster: most processes that handle signals have it already
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { beginDrain } = require('./health-http') as typeof import('./health-http');
  return beginDrain(events);
}

interface CheckedOptions {
  readonly timeout: number;
  readonly drainDelay: number;
  readonly signals: readonly NodeJS.Signals[];
  readonly constants: typeof import('node:os').constants;
}

function checkOptions(options: SignalOptions): CheckedOptions {
  const timeout = options.timeout ?? 10_000;
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw invalid(`timeout must be a positive, finite number of ms (the process is ended when it passes), got ${describeValue(timeout)}`);
  }
  const drainDelay = options.drainDelay ?? 0;
  if (!(typeof drainDelay === 'number' && drainDelay >= 0 && Number.isFinite(drainDelay))) {
    throw invalid(`drainDelay must be a finite number of ms >= 0 (the wait between the signal and the stop), got ${describeValue(drainDelay)}`);
  }
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  // node:os loads here, not with bandmaster: a builtin module costs a cold start ~0.3 ms
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { constants } = require('node:os') as typeof import('node:os');
  if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !(s in constants.signals))) {
    throw invalid(`signals must be a list of signal names such as ['SIGINT', 'SIGTERM'], got ${describeValue(signals)}`);
  }
  return { timeout, drainDelay, signals: signals as readonly NodeJS.Signals[], constants };
}

function invalid(detail: string): BandmasterError {
  return new BandmasterError('InvalidArgument', { service: 'handleSignals', detail });
}
