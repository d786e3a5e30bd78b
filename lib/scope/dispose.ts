import type { ServiceSpec } from '../definition';
import type { BandmasterError } from '../errors';
import { lifecycleError } from '../lifecycle/outcome';
import { deadline, isThenable, raceAbort } from '../lifecycle/retry';
import { fromValue } from '../registration/spec';
import { hookOf, methodOf } from './hooks';

/**
 * Stops one instance built on demand: its `onStop` (the definition's, or the class's own), else
 * its `[Symbol.asyncDispose]` or `[Symbol.dispose]`; a `useValue` object belongs to its owner
 * and is only given its definition's `onStop`. Bounded by the service's stopTimeout and `signal`.
 */
export function stopOne(spec: ServiceSpec, instance: unknown, signal: AbortSignal): unknown {
  const call = stopCall(spec, instance);
  if (call === undefined) return undefined;
  if (spec.stopTimeout === undefined) {
    const result = call(signal);
    return isThenable(result) ? raceAbort(result, signal) : result;
  }
  const limit = deadline(signal, spec.stopTimeout, `\`${spec.name}\` stop`);
  let result: unknown;
  try {
    result = call(limit.signal);
  } catch (error) {
    limit.dispose();
    throw error;
  }
  if (!isThenable(result)) return limit.dispose();
  return raceAbort(result, limit.signal).finally(() => limit.dispose());
}

/** What stopping `instance` calls, or undefined when it has nothing to stop. */
function stopCall(spec: ServiceSpec, instance: unknown): ((signal: AbortSignal) => unknown) | undefined {
  const hook = hookOf(spec, 'onStop', instance);
  if (hook !== undefined || spec.create === fromValue) return hook;
  const dispose = methodOf(instance, Symbol.asyncDispose) ?? methodOf(instance, Symbol.dispose);
  return dispose === undefined ? undefined : () => dispose.call(instance);
}

/**
 * Stops the instances of `created` (`spec, instance` pairs in creation order) in reverse order,
 * one at a time, and empties it. Every failure is kept, as a `ServiceStopFailure`. Synchronous
 * (an array) while no stop returns a promise.
 */
export function stopCreated(created: unknown[], signal: AbortSignal, errors: BandmasterError[] = []): BandmasterError[] | Promise<BandmasterError[]> {
  while (created.length > 0) {
    const instance = created.pop();
    const spec = created.pop() as ServiceSpec;
    const failed = (cause: unknown): void => void errors.push(lifecycleError('ServiceStopFailure', { service: spec.name, cause, attempts: 1 }));
    let result: unknown;
    try {
      result = stopOne(spec, instance, signal);
    } catch (cause) {
      failed(cause);
      continue;
    }
    if (isThenable(result)) return Promise.resolve(result).then(() => undefined, failed).then(() => stopCreated(created, signal, errors));
  }
  return errors;
}
