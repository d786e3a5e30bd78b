import type { ServiceSpec } from './definition';
import type { BandmasterError } from './errors';

/**
 * Lifecycle state of one service. `idle`: never started; `waiting`: in a boot, waiting for its
 * dependencies; `starting`: attempts running; `started`; `failed`: its start failed (or a
 * dependency's did); `stopping`; `stopped`.
 */
export type ServiceState = 'idle' | 'waiting' | 'starting' | 'started' | 'failed' | 'stopping' | 'stopped';

/** Whether a service may go from `from` to `to`: the state machine, as comparisons (a lookup by state name hashes it). */
function allowed(from: ServiceState, to: ServiceState): boolean {
  switch (to) {
    case 'waiting':
      return from === 'idle' || from === 'stopped' || from === 'failed';
    case 'starting':
      return from === 'waiting';
    case 'started':
      // a service that failed to stop stays started
      return from === 'starting' || from === 'stopping';
    case 'failed':
      return from === 'waiting' || from === 'starting';
    case 'stopping':
      return from === 'started';
    case 'stopped':
      return from === 'stopping' || from === 'failed';
    default:
      return false;
  }
}

/** The empty list every node starts with (frozen: link() replaces lists, never writes to this one). */
export const NO_NODES: ServiceNode[] = Object.freeze([]) as unknown as ServiceNode[];

/**
 * Nodes whose times share one chunk (8 KB): a number field that holds fractions (performance.now)
 * points to a heap object of its own, four per node, that every young GC copies; a chunk is freed
 * once none of its nodes is reachable.
 */
const NODES_PER_CHUNK = 256;
const TIMES_PER_NODE = 4;
let chunk = new Float64Array(0);
let next = 0;

/** Called when a node settles a start: started or failed. */
export type Watcher = (node: ServiceNode) => void;

/** The runtime side of one registration: its state, instance, timings and graph links. */
export class ServiceNode {
  state: ServiceState = 'idle';
  instance: unknown = undefined;
  error: BandmasterError | undefined = undefined;
  /** Attempts of the last start (or stop, once stopping). */
  attempts = 0;
  stopAttempts = 0;
  /** Where its four times live: a chunk shared with other nodes, and its first slot there. */
  readonly #times: Float64Array;
  readonly #at: number;
  /** Bumped on every start and stop: a result from an older generation is stale and ignored. */
  generation = 0;
  /** The running start attempt, if any: the next attempt waits for it, so starts never overlap. */
  inflight: Promise<void> | undefined = undefined;
  /** Unsettled dependencies (start) or dependents (stop) in the current run. */
  pending = 0;
  /** Dependencies resolved against the registry, aligned with `spec.depTokens`; undefined when missing. */
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

  constructor(public spec: ServiceSpec) {
    // four time slots in a chunk shared with other nodes (see NODES_PER_CHUNK)
    if (next === chunk.length) {
      chunk = new Float64Array(NODES_PER_CHUNK * TIMES_PER_NODE);
      next = 0;
    }
    this.#times = chunk;
    this.#at = next;
    next += TIMES_PER_NODE;
  }

  /** When the last start queued it (performance.now, or the container's clock). */
  get queuedAt(): number {
    return this.#times[this.#at]!;
  }
  set queuedAt(ms: number) {
    this.#times[this.#at] = ms;
  }

  /** When the first attempt of the last start began. */
  get attemptAt(): number {
    return this.#times[this.#at + 1]!;
  }
  set attemptAt(ms: number) {
    this.#times[this.#at + 1] = ms;
  }

  /** When the last start settled (started or failed). */
  get settledAt(): number {
    return this.#times[this.#at + 2]!;
  }
  set settledAt(ms: number) {
    this.#times[this.#at + 2] = ms;
  }

  /** How long the last stop took, in ms. */
  get stopMs(): number {
    return this.#times[this.#at + 3]!;
  }
  set stopMs(ms: number) {
    this.#times[this.#at + 3] = ms;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Moves to `to`, or throws when that transition is not allowed (a bug, never user error). */
  transition(to: ServiceState): void {
    if (!allowed(this.state, to)) {
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
