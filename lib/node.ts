import type { ServiceSpec } from './definition';
import type { BandmasterError } from './errors';

/**
 * Lifecycle state of one service. `idle`: never started; `waiting`: in a boot, waiting for its
 * dependencies; `starting`: attempts running; `started`; `failed`: its start failed (or a
 * dependency's did); `stopping`; `stopped`.
 */
export type ServiceState = 'idle' | 'waiting' | 'starting' | 'started' | 'failed' | 'stopping' | 'stopped';

const TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  idle: ['waiting'],
  stopped: ['waiting'],
  failed: ['waiting', 'stopped'],
  waiting: ['starting', 'failed'],
  starting: ['started', 'failed'],
  started: ['stopping'],
  // a service that failed to stop stays started
  stopping: ['stopped', 'started'],
};

/** The empty list every node starts with (frozen: link() replaces lists, never writes to this one). */
export const NO_NODES: ServiceNode[] = Object.freeze([]) as unknown as ServiceNode[];

/** Called when a node settles a start: started or failed. */
export type Watcher = (node: ServiceNode) => void;

/** The runtime side of one registration: its state, instance, timings and graph links. */
export class ServiceNode {
  state: ServiceState = 'idle';
  instance: unknown = undefined;
  error: BandmasterError | undefined = undefined;
  /** Attempts of the last start (or stop, once stopping). */
  attempts = 0;
  /** Timestamps (performance.now) of the last start: queued, first attempt, settled. */
  queuedAt = 0;
  attemptAt = 0;
  settledAt = 0;
  stopAttempts = 0;
  stopMs = 0;
  /** Bumped on every start and stop: a result from an older generation is stale and ignored. */
  generation = 0;
  /** The running start attempt, if any: the next attempt waits for it, so starts never overlap. */
  inflight: Promise<void> | undefined = undefined;
  /** Unsettled dependencies (start) or dependents (stop) in the current run. */
  pending = 0;
  /** Dependencies resolved against the registry, aligned with `spec.deps`; undefined when missing. */
  depNodes: (ServiceNode | undefined)[] = NO_NODES;
  /**
   * Services that depend on this one, once per dependency edge (a service listing it twice is
   * here twice, its entries adjacent); whether an edge is optional is read from the dependent's
   * spec by `isOptionalEdge`, so no edge object is kept per dependency.
   */
  dependents: ServiceNode[] = NO_NODES;
  /** The shutdown that is stopping it (or last did): membership, checked by identity. */
  shutdown: object | undefined = undefined;
  /** Graph-walk scratch mark. */
  mark = 0;
  watchers: Watcher[] | undefined = undefined;

  constructor(public spec: ServiceSpec) {}

  get name(): string {
    return this.spec.name;
  }

  /** Moves to `to`, or throws when that transition is not allowed (a bug, never user error). */
  transition(to: ServiceState): void {
    if (!TRANSITIONS[this.state].includes(to)) {
      throw new Error(`bandmaster internal error: \`${this.name}\` cannot go from ${this.state} to ${to}`);
    }
    this.state = to;
  }

  /** Wakes every watcher once; watchers re-register themselves if they want more. */
  notify(): void {
    const watchers = this.watchers;
    if (!watchers) return;
    this.watchers = undefined;
    for (const w of watchers) w(this);
  }

  watch(w: Watcher): void {
    (this.watchers ??= []).push(w);
  }

  unwatch(w: Watcher): void {
    const i = this.watchers?.indexOf(w) ?? -1;
    if (i >= 0) this.watchers!.splice(i, 1);
  }
}
