import { BandmasterError, describeCause, describeValue } from '../errors';
import { clampDelay } from '../delay';
import { getGlobalLogger, type Logger } from '../logger';
import type { LifecycleReport } from './report';

/** Options of `container.handleSignals()`. */
export interface SignalOptions {
  /** Time limit of the shutdown in ms; default 10000 (Kubernetes gives 30s before SIGKILL). */
  readonly timeout?: number;
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
}

/** Extra time after the shutdown deadline before the process is ended regardless. */
const GRACE_MS = 1_000;

/**
 * Installs SIGINT/SIGTERM handlers that shut the container down: the first signal stops every
 * service in reverse dependency order within `timeout` (readiness turns false as the shutdown
 * begins), then exits 0 on a clean stop and 1 otherwise; a second signal exits at once with
 * 128 + the signal number.
 *
 * @returns a function that removes the handlers.
 * @throws BandmasterError `InvalidArgument` when `timeout` is not a positive number of ms, or
 * `signals` is not a list of signal names.
 * @example
 * ```ts
 * await container.startAll();
 * container.handleSignals({ timeout: 20_000 });
 * ```
 */
export function handleSignals(container: Stoppable, options: SignalOptions = {}): () => void {
  const timeout = options.timeout ?? 10_000;
  if (!(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw new BandmasterError('InvalidArgument', {
      service: 'handleSignals',
      detail: `timeout must be a positive, finite number of ms (the process is ended when it passes), got ${describeValue(timeout)}`,
    });
  }
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  // node:os loads here, not with bandmaster: a builtin module costs a cold start ~0.3 ms
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { constants } = require('node:os') as typeof import('node:os');
  if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !(s in constants.signals))) {
    throw new BandmasterError('InvalidArgument', {
      service: 'handleSignals',
      detail: `signals must be a list of signal names such as ['SIGINT', 'SIGTERM'], got ${describeValue(signals)}`,
    });
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = (): Logger | undefined => (options.logger === undefined ? getGlobalLogger() : options.logger) || undefined;
  let stopping = false;
  let exited = false;
  const end = (code: number): void => {
    if (exited) return;
    exited = true;
    exit(code);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log()?.warn('received a second signal, exiting now', { signal });
      return end(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    log()?.info('received signal, stopping services...', { signal, timeoutMs: timeout });
    // a shutdown that cannot settle (a bug, a blocked hook) must not keep the process past its deadline
    const guard = setTimeout(() => end(1), clampDelay(timeout + GRACE_MS));
    guard.unref();
    container.stopAll({ timeout }).then(
      () => {
        clearTimeout(guard);
        log()?.info('services stopped, exiting', { signal });
        end(0);
      },
      (err: unknown) => {
        clearTimeout(guard);
        log()?.error('shutdown failed, exiting', { signal, error: describeCause(err) });
        end(1);
      },
    );
  };
  for (const signal of signals as readonly NodeJS.Signals[]) process.on(signal, onSignal);
  return () => {
    for (const signal of signals as readonly NodeJS.Signals[]) process.off(signal, onSignal);
  };
}
