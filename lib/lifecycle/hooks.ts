import type { ServiceNode } from './node';
import { bounded, deadline, raceAbort } from './retry';

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
 * (abort or attempt timeout): it must not stay connected behind the container's back. Recorded
 * as the node's {@link ServiceNode.cleanup} while it runs, bounded by its stopTimeout (5 s without).
 */
export function stopInstance(node: ServiceNode, instance: unknown): Promise<void> {
  if (!hasHook(node, 'onStop', instance)) return Promise.resolve();
  const run = async (): Promise<void> => {
    const limit = deadline(undefined, node.spec.stopTimeout ?? ABANDONED_STOP_TIMEOUT_MS, 'cleanup');
    try {
      await raceAbort(callHook(node, 'onStop', instance, limit.signal), limit.signal);
    } catch {
      // best effort: the start already failed and was reported
    } finally {
      limit.dispose();
    }
  };
  const previous = node.cleanup;
  const cleanup: Promise<void> = (previous ? previous.then(run) : run()).then(() => {
    if (node.cleanup === cleanup) node.cleanup = undefined;
  });
  node.cleanup = cleanup;
  return cleanup;
}

/**
 * Resolves once the start attempts abandoned among `nodes` (a boot gave up on them while their
 * hooks ran) have settled and their cleanup ran, each bounded by its stopTimeout (5 s without):
 * a shutdown begins only after, so no dependency closes under an instance still being cleaned up.
 */
export async function abandonedSettled(nodes: readonly ServiceNode[]): Promise<void> {
  const waits: Promise<void>[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.inflight === undefined && node.cleanup === undefined) continue;
    waits.push(settleAbandoned(node));
  }
  if (waits.length > 0) await Promise.all(waits);
}

async function settleAbandoned(node: ServiceNode): Promise<void> {
  const inflight = node.inflight;
  if (inflight) {
    await bounded(inflight.then(() => true), node.spec.stopTimeout ?? ABANDONED_STOP_TIMEOUT_MS);
    // the settle that hands the late instance to its cleanup runs in a reaction of its own
    await new Promise((resolve) => setImmediate(resolve));
  }
  await node.cleanup;
}
