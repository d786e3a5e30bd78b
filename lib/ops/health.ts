import { describeSafely } from '../lifecycle/outcome';
import { callHook, hasHook } from '../lifecycle/hooks';
import type { ServiceNode, ServiceState } from '../lifecycle/node';
import { deadline, raceAbort } from '../lifecycle/retry';

/** Health of one service. */
export interface ServiceHealth {
  /** Service name. */
  readonly name: string;
  /** Its lifecycle state. */
  readonly state: ServiceState;
  /** Its health counts for the container's. */
  readonly required: boolean;
  /** Started, and its `healthCheck` (if any) passed within the timeout. */
  readonly healthy: boolean;
  /** Why it is not healthy. */
  readonly error?: string;
  /** Time its check took, in ms. */
  readonly durationMs: number;
  /** How many times it was restarted (supervised and on demand); absent when never. */
  readonly restarts?: number;
}

/** What `container.health()` resolves to. */
export interface HealthReport {
  /** Every required service is started and healthy. */
  readonly healthy: boolean;
  /** Every service, started or not. */
  readonly services: readonly ServiceHealth[];
}

/** Options of `container.health()`. */
export interface HealthOptions {
  /** Time limit of each check in ms; default 5000. */
  readonly timeout?: number;
  /** Aborting it aborts every check. */
  readonly signal?: AbortSignal;
}

/**
 * Runs every started service's health check in parallel, each with its own time limit; each
 * entry carries the service's restart count (from `restartsOf`) when it has been restarted.
 */
export async function checkHealth(nodes: readonly ServiceNode[], options: HealthOptions = {}, restartsOf?: (name: string) => number): Promise<HealthReport> {
  const timeout = options.timeout ?? 5_000;
  const checked = await Promise.all(nodes.map((node) => checkOne(node, timeout, options.signal)));
  const services = restartsOf ? checked.map((s) => withRestarts(s, restartsOf(s.name))) : checked;
  return { healthy: services.every((s) => s.healthy || !s.required), services };
}

function withRestarts(health: ServiceHealth, restarts: number): ServiceHealth {
  return restarts > 0 ? { ...health, restarts } : health;
}

async function checkOne(node: ServiceNode, timeout: number, outer: AbortSignal | undefined): Promise<ServiceHealth> {
  const base = { name: node.name, state: node.state, required: node.spec.required };
  // a standby replica of an exclusive service is ready: it takes over when the holder goes
  if (node.state === 'standby') return { ...base, healthy: true, durationMs: 0 };
  if (node.state !== 'started') return { ...base, healthy: false, error: `service is ${node.state}`, durationMs: 0 };
  const instance = node.instance;
  if (!hasHook(node, 'healthCheck', instance)) return { ...base, healthy: true, durationMs: 0 };
  const limit = deadline(outer, timeout, `\`${node.name}\` health check`);
  const t0 = performance.now();
  try {
    await raceAbort(Promise.resolve().then(() => callHook(node, 'healthCheck', instance, limit.signal)), limit.signal);
    return { ...base, healthy: true, durationMs: performance.now() - t0 };
  } catch (err) {
    return { ...base, healthy: false, error: describeSafely(err), durationMs: performance.now() - t0 };
  } finally {
    limit.dispose();
  }
}
