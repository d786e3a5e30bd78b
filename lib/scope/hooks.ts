import type { ServiceSpec } from '../definition';

/** The hook `name` for `instance`: the definition's own, else (class services) the instance's method. */
export function hookOf(spec: ServiceSpec, name: 'onStart' | 'onStop', instance: unknown): ((signal: AbortSignal) => unknown) | undefined {
  const own = spec[name];
  if (own !== undefined) return (signal) => own(instance, signal);
  const method = spec.instanceHooks ? methodOf(instance, name) : undefined;
  return method === undefined ? undefined : (signal) => method.call(instance, signal);
}

/** `instance[key]` when it is a function (`instance` an object), else undefined. */
export function methodOf(instance: unknown, key: PropertyKey): ((...args: unknown[]) => unknown) | undefined {
  if (typeof instance !== 'object' || instance === null) return undefined;
  const value = (instance as Record<PropertyKey, unknown>)[key];
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown) : undefined;
}
