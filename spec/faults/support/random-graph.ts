// Seeded random service graphs whose hooks watch the lifecycle invariants from the inside.
import type { Container, FactoryDefinition } from '../../../lib';

/** mulberry32, the benchmark's seeded PRNG, so a failing seed can be replayed. */
export { seededRandom as prng } from '../../../bench/graph';

/** A service of a random graph. */
export interface RandomService {
  readonly name: string;
  readonly deps: readonly { readonly name: string; readonly optional: boolean }[];
  readonly required: boolean;
  readonly retries: number;
  /** Chance that one start attempt fails. */
  readonly startFailure: number;
  /** Chance that one stop attempt fails. */
  readonly stopFailure: number;
}

/** What the hooks saw: live instances, concurrent starts, and every broken invariant. */
export class Monitor {
  readonly live = new Map<string, Set<number>>();
  readonly starting = new Map<string, number>();
  readonly violations: string[] = [];
  /** While false, hooks never fail (to bring the container back to a clean state). */
  faults = true;
  /** Services whose next health check fails (a loss, with `supervised` graphs). */
  readonly sick = new Set<string>();
  onStartCalls = 0;
  onStopCalls = 0;

  liveCount(name: string): number {
    return this.live.get(name)?.size ?? 0;
  }
}

/** A random DAG of 4 to 12 services: each may depend on earlier ones, some optionally. */
export function randomGraph(random: () => number): RandomService[] {
  const count = 4 + Math.floor(random() * 9);
  const services: RandomService[] = [];
  for (let i = 0; i < count; i++) {
    const deps = services.filter(() => random() < 0.35).map((s) => ({ name: s.name, optional: random() < 0.2 }));
    services.push({
      name: `s${i}`,
      deps,
      required: random() < 0.8,
      retries: Math.floor(random() * 3),
      startFailure: random() < 0.5 ? 0 : random() * 0.4,
      stopFailure: random() < 0.7 ? 0 : random() * 0.3,
    });
  }
  return services;
}

/** Sleeps `ms`, rejecting with the signal's reason as soon as it aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface Instance {
  readonly name: string;
  readonly id: number;
}

/**
 * Registers the graph. Hooks honour their signal and check, as they run: one start at a time per
 * service, one live instance per service, required dependencies live when a service starts, and
 * no live dependent when a service stops. With `supervised`, every service has a restart policy
 * and a health check that fails once when its name is in `monitor.sick` (for a container with
 * `healthInterval`): a loss.
 */
export function registerGraph(container: Container, graph: readonly RandomService[], monitor: Monitor, random: () => number, supervised = false): void {
  const dependents = new Map<string, string[]>();
  for (const s of graph) for (const d of s.deps) dependents.set(d.name, [...(dependents.get(d.name) ?? []), s.name]);
  let serial = 0;
  for (const s of graph) {
    const definition: FactoryDefinition<Instance> = {
      name: s.name,
      required: s.required,
      retries: s.retries,
      backoff: { initial: 1, max: 4 },
      deps: s.deps.map((d) => (d.optional ? { token: d.name, optional: true as const } : d.name)),
      useFactory: () => ({ name: s.name, id: ++serial }),
      ...(supervised
        ? {
            restart: { maxRestarts: 2, withinMs: 200, backoff: 1 },
            healthCheck: () => {
              if (monitor.sick.delete(s.name)) throw new Error(`${s.name} lost its connection`);
            },
          }
        : {}),
      onStart: async (instance, signal) => {
        monitor.onStartCalls++;
        const running = (monitor.starting.get(s.name) ?? 0) + 1;
        monitor.starting.set(s.name, running);
        if (running > 1) monitor.violations.push(`${s.name}: ${running} onStart calls at once`);
        for (const d of s.deps) if (!d.optional && monitor.liveCount(d.name) === 0) monitor.violations.push(`${s.name} started before its dependency ${d.name}`);
        try {
          await pause(Math.floor(random() * 4), signal);
          if (monitor.faults && random() < s.startFailure) throw new Error(`${s.name} refused`);
          const live = monitor.live.get(s.name) ?? new Set<number>();
          if (live.size > 0) monitor.violations.push(`${s.name}: instance ${instance.id} started while ${[...live].join(',')} still live`);
          live.add(instance.id);
          monitor.live.set(s.name, live);
        } finally {
          monitor.starting.set(s.name, monitor.starting.get(s.name)! - 1);
        }
      },
      onStop: async (instance, signal) => {
        monitor.onStopCalls++;
        for (const d of dependents.get(s.name) ?? []) if (monitor.liveCount(d) > 0) monitor.violations.push(`${s.name} stopped while its dependent ${d} runs`);
        await pause(Math.floor(random() * 3), signal);
        if (monitor.faults && random() < s.stopFailure) throw new Error(`${s.name} would not close`);
        monitor.live.get(s.name)?.delete(instance.id);
      },
    };
    container.register(definition);
  }
}
