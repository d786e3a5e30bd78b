import type { ServiceNode } from './node';
import { deadline } from './retry';

/** Cleanup of an abandoned instance gets this long when the service has no stopTimeout. */
const ABANDONED_STOP_TIMEOUT_MS = 5_000;

type HookName = 'onStart' | 'onStop' | 'healthCheck';

/** Calls a service's hook: the definition's if it gives one, else the instance's (undefined when it has none). */
export function callHook(node: ServiceNode, name: HookName, instance: unknown, signal: AbortSignal): unknown {
  const spec = node.spec;
  const own = spec[name];
  if (own) return own(instance, signal);
  if (spec.instanceHooks && typeof instance === 'object' && instance !== null) {
    const method = (instance as Record<string, unknown>)[name];
    if (typeof method === 'function') return (method as (s: AbortSignal) => unknown).call(instance, signal);
  }
  return undefined;
}

/** True when the service has a hook of that name for `instance`. */
export function hasHook(node: ServiceNode, name: HookName, instance: unknown): boolean {
  if (node.spec[name]) return true;
  return node.spec.instanceHooks && typeof instance === 'object' && instance !== null && typeof (instance as Record<string, unknown>)[name] === 'function';
}

/**
 * Best-effort stop of an instance whose start completed after the container gave up on it
 * (abort or attempt timeout): it must not stay connected behind the container's back.
 */
export async function stopInstance(node: ServiceNode, instance: unknown): Promise<void> {
  if (!hasHook(node, 'onStop', instance)) return;
  const limit = deadline(undefined, node.spec.stopTimeout ?? ABANDONED_STOP_TIMEOUT_MS, 'cleanup');
  try {
    await callHook(node, 'onStop', instance, limit.signal);
  } catch {
    // best effort: the start already failed and was reported
  } finally {
    limit.dispose();
  }
}
