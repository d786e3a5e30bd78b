import type { ServiceSpec } from '../definition';
import type { BandmasterError } from '../errors';
import { lifecycleError } from '../lifecycle/outcome';
import { deadline, isThenable, raceAbort } from '../retry';
import { fromValue } from '../registration';

/**
 * Stops one instance built on demand: its `onStop` (the definition's, or the class's own), else
 * its `[Symbol.asyncDispose]` or `[Symbol.dispose]`; a `useValue` object belongs to its owner
 * and is only given its definition's `onStop`. Bounded by the service's stopTimeout and `signal`.
 */
export async function stopOne(spec: ServiceSpec, instance: unknown, signal: AbortSignal): Promise<void> {
  const call = stopCall(spec, instance);
  if (call === undefined) return;
  const limit = spec.stopTimeout === undefined ? undefined : deadline(signal, spec.stopTimeout, `\`${spec.name}\` stop`);
  const active = limit?.signal ?? signal;
  try {
    const result = call(active);
    if (isThenable(result)) await raceAbort(result, active);
  } finally {
    limit?.dispose();
  }
}

/** What stopping `instance` calls, or undefined when it has nothing to stop. */
function stopCall(spec: ServiceSpec, instance: unknown): ((signal: AbortSignal) => unknown) | undefined {
  const own = spec.onStop;
  if (own) return (signal) => own(instance, signal);
  if (spec.create === fromValue || typeof instance !== 'object' || instance === null) return undefined;
  const target = instance as Record<PropertyKey, unknown>;
  const onStop = spec.instanceHooks ? target['onStop'] : undefined;
  if (typeof onStop === 'function') return (signal) => (onStop as (s: AbortSignal) => unknown).call(instance, signal);
  const dispose = target[Symbol.asyncDispose] ?? target[Symbol.dispose];
  if (typeof dispose === 'function') return () => (dispose as () => unknown).call(instance);
  return undefined;
}

/**
 * Stops the instances of `created` (`spec, instance` pairs in creation order) in reverse order,
 * one at a time, and empties it. Every failure is kept, as a `ServiceStopFailure`.
 */
export async function stopCreated(created: unknown[], signal: AbortSignal): Promise<BandmasterError[]> {
  const errors: BandmasterError[] = [];
  while (created.length > 0) {
    const instance = created.pop();
    const spec = created.pop() as ServiceSpec;
    try {
      await stopOne(spec, instance, signal);
    } catch (cause) {
      errors.push(lifecycleError('ServiceStopFailure', { service: spec.name, cause, attempts: 1 }));
    }
  }
  return errors;
}
