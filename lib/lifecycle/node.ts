import type { ServiceSpec } from '../definition';
import type { BandmasterError } from '../errors';
import type { AttemptRun } from './attempt';

/**
 * Lifecycle state of one service. `idle`: never started; `waiting`: in a boot, waiting for its
 * dependencies; `starting`: attempts running; `started`; `failed`: its start failed (or a
 * dependency's did); `stopping`; `stopped`; `standby`: an `exclusive` service whose lock another
 * replica holds (and its required dependents), ready to take over.
 */
export type ServiceState = 'idle' | 'waiting' | 'starting' | 'started' | 'failed' | 'stopping' | 'stopped' | 'standby';

/** State codes, as a {@link NodeTable} keeps them: `STATES[code]` is the state's name. */
export const IDLE = 0;
export const WAITING = 1;
export const STARTING = 2;
export const STARTED = 3;
export const FAILED = 4;
export const STOPPING = 5;
export const STOPPED = 6;
export const STANDBY = 7;
export const STATES: readonly ServiceState[] = ['idle', 'waiting', 'starting', 'started', 'failed', 'stopping', 'stopped', 'standby'];

/** Whether a service may go from state code `from` to `to`: the state machine, as comparisons. */
function allowed(from: number, to: number): boolean {
  switch (to) {
    case WAITING:
      return from === IDLE || from === STOPPED || from === FAILED;
    case STARTING:
      return from === WAITING;
    case STARTED:
      // a service that failed to stop stays started
      return from === STARTING || from === STOPPING;
    case FAILED:
      return from === WAITING || from === STARTING;
    case STOPPING:
      return from === STARTED;
    case STOPPED:
      return from === STOPPING || from === FAILED || from === STANDBY;
    case STANDBY:
      // its start found the lock taken, a dependency stood by, or it stood down after a lost lease
      return from === STARTING || from === WAITING || from === STOPPED;
    default:
      return false;
  }
}

/** Time slots per service in {@link NodeTable.times}: queued, first attempt, settled, stop duration. */
export const TIMES = 4;

/**
 * The scheduling fields of every service of one registry, as columns indexed by the service's
 * index: what a boot or a shutdown reads of a service's neighbours (state, counters, run mark,
 * edges, instance) sits in a few dense arrays, not in one object per service scattered over the
 * heap. At 100,000 services the objects no longer fit in the CPU caches and every edge followed
 * was a cache miss; typed arrays also keep these numbers out of the garbage collector's way.
 * The typed arrays are replaced when the table grows or is relinked: read them through the table
 * again after running user code.
 */
export class NodeTable {
  /** The nodes, by index. */
  readonly nodes: ServiceNode[] = [];
  /** Each service's instance, by index (undefined until constructed). */
  readonly instances: unknown[] = [];
  /** State codes (IDLE...STOPPED). */
  state = new Uint8Array(16);
  /** Unsettled dependencies (start) or dependents (stop) in the current run. */
  pending = new Int32Array(16);
  /** The id of the shutdown a service is a live member of (0: none; cleared when its stop fails). */
  run = new Int32Array(16);
  /** Graph-walk scratch. */
  mark = new Int32Array(16);
  /**
   * How many services the edges were linked for when a boot counted service `i`'s pending
   * dependencies: an edge to a service at or past that index did not exist then, is not in its
   * count, and its outcome must not count toward it (a late registration cannot stand in for a
   * required dependency).
   */
  plan = new Int32Array(16);
  /** Shutdowns begun on this table: the last one's id. */
  shutdowns = 0;
  /** How many services the edge columns are linked for: set by `link`. */
  linked = 0;
  /** Attempts of the last start and of the last stop. */
  attempts = new Int32Array(16);
  stopAttempts = new Int32Array(16);
  /** {@link TIMES} times per service (performance.now, or the container's clock). */
  times = new Float64Array(16 * TIMES);
  /**
   * Dependencies of service `i`: `depIdx[depStart[i] .. depStart[i + 1])`, aligned with its
   * `spec.depTokens`; -1 for one that is not registered. Rebuilt by `link`.
   */
  depStart = new Int32Array(1);
  depIdx = new Int32Array(0);
  /**
   * Dependents of service `i`: `dntIdx[dntStart[i] .. dntStart[i + 1])`, once per dependency
   * edge (a service listing it twice is there twice, its entries adjacent and in the order of its
   * own list); whether an edge is optional is read from the dependent's spec (`isOptionalEdge`).
   */
  dntStart = new Int32Array(1);
  dntIdx = new Int32Array(0);

  /** Appends a node for `spec`, growing the columns when full. */
  add(spec: ServiceSpec): ServiceNode {
    const index = this.nodes.length;
    if (index === this.state.length) this.#grow(index * 2);
    const node = new ServiceNode(spec, this, index);
    this.nodes.push(node);
    this.instances.push(undefined);
    return node;
  }

  /**
   * Makes room for `count` more services at once (a `register` of many): the columns are sized to
   * fit instead of doubling, which for 10,000 services made 16,384 slots (39% unused).
   */
  reserve(count: number): void {
    const needed = this.nodes.length + count;
    if (needed > this.state.length) this.#grow(needed);
  }

  #grow(capacity: number): void {
    this.state = copied(new Uint8Array(capacity), this.state);
    this.pending = copied(new Int32Array(capacity), this.pending);
    this.run = copied(new Int32Array(capacity), this.run);
    this.mark = copied(new Int32Array(capacity), this.mark);
    this.plan = copied(new Int32Array(capacity), this.plan);
    this.attempts = copied(new Int32Array(capacity), this.attempts);
    this.stopAttempts = copied(new Int32Array(capacity), this.stopAttempts);
    this.times = copied(new Float64Array(capacity * TIMES), this.times);
  }
}

function copied<T extends Uint8Array | Int32Array | Float64Array>(to: T, from: T): T {
  to.set(from);
  return to;
}

/** Called when a node settles a start: started or failed. */
export type Watcher = (node: ServiceNode) => void;

/** What {@link ServiceNode} keeps apart, once one of them is set. */
interface Rare {
  error: BandmasterError | undefined;
  watchers: Watcher[] | undefined;
  cleanup: Promise<void> | undefined;
}

// a function, not a private method: a class with private methods gives each instance a brand slot
function noRare(): Rare {
  return { error: undefined, watchers: undefined, cleanup: undefined };
}

/**
 * The runtime side of one registration: what only the service itself needs (spec, error, the
 * attempt in flight, watchers) is here; its state, counters, times, edges and instance live in
 * its registry's {@link NodeTable}, at `index`.
 */
export class ServiceNode {
  /** Its attempts in the current boot or shutdown, while they run. */
  attempt: AttemptRun<ServiceNode> | undefined = undefined;
  /** The running start try, if any (resolving to whether it succeeded): the next boot's first try waits for it. */
  inflight: Promise<boolean> | undefined = undefined;
  /**
   * The running stop attempt, if any, resolving to whether it closed the instance: the next stop
   * attempt waits for it (stops never overlap) and, when it did close it, does not run again.
   */
  stopping: Promise<boolean> | undefined = undefined;
  /**
   * The fields most services never set (a failure, watchers, an abandoned start's cleanup): one
   * slot while none is set instead of three (16 B per service), the object made on the first.
   */
  #rare: Rare | undefined = undefined;

  constructor(
    public spec: ServiceSpec,
    readonly table: NodeTable,
    readonly index: number,
  ) {}

  /** Why its last start failed (or a dependency's failure), until the next boot. */
  get error(): BandmasterError | undefined {
    return this.#rare?.error;
  }
  set error(error: BandmasterError | undefined) {
    // every boot clears it on every node: that must not make the object
    if (error !== undefined || this.#rare !== undefined) (this.#rare ??= noRare()).error = error;
  }

  /** Who waits for its start to settle ({@link ServiceNode.watch}). */
  get watchers(): Watcher[] | undefined {
    return this.#rare?.watchers;
  }
  set watchers(watchers: Watcher[] | undefined) {
    if (watchers !== undefined || this.#rare !== undefined) (this.#rare ??= noRare()).watchers = watchers;
  }

  /** The cleanup (`onStop`) of an instance whose start was abandoned, while it runs: stopAll waits for it. */
  get cleanup(): Promise<void> | undefined {
    return this.#rare?.cleanup;
  }
  set cleanup(cleanup: Promise<void> | undefined) {
    if (cleanup !== undefined || this.#rare !== undefined) (this.#rare ??= noRare()).cleanup = cleanup;
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): ServiceState {
    return STATES[this.table.state[this.index]!]!;
  }

  /** The state as a code (IDLE...STOPPED). */
  get code(): number {
    return this.table.state[this.index]!;
  }

  get instance(): unknown {
    return this.table.instances[this.index];
  }
  set instance(value: unknown) {
    this.table.instances[this.index] = value;
  }

  /** Attempts of the last start. */
  get attempts(): number {
    return this.table.attempts[this.index]!;
  }
  set attempts(n: number) {
    this.table.attempts[this.index] = n;
  }

  /** Attempts of the last stop. */
  get stopAttempts(): number {
    return this.table.stopAttempts[this.index]!;
  }
  set stopAttempts(n: number) {
    this.table.stopAttempts[this.index] = n;
  }

  /** When the last start queued it. */
  get queuedAt(): number {
    return this.table.times[TIMES * this.index]!;
  }
  set queuedAt(ms: number) {
    this.table.times[TIMES * this.index] = ms;
  }

  /** When the first attempt of the last start began. */
  get attemptAt(): number {
    return this.table.times[TIMES * this.index + 1]!;
  }
  set attemptAt(ms: number) {
    this.table.times[TIMES * this.index + 1] = ms;
  }

  /** When the last start settled (started or failed). */
  get settledAt(): number {
    return this.table.times[TIMES * this.index + 2]!;
  }
  set settledAt(ms: number) {
    this.table.times[TIMES * this.index + 2] = ms;
  }

  /** How long the last stop took, in ms. */
  get stopMs(): number {
    return this.table.times[TIMES * this.index + 3]!;
  }
  set stopMs(ms: number) {
    this.table.times[TIMES * this.index + 3] = ms;
  }

  /** Its dependencies as nodes, aligned with `spec.depTokens` (undefined when missing): a fresh list, for the cold paths. */
  get depNodes(): (ServiceNode | undefined)[] {
    const { depStart, depIdx, nodes } = this.table;
    const from = depStart[this.index]!;
    const out = new Array<ServiceNode | undefined>(depStart[this.index + 1]! - from);
    for (let k = 0; k < out.length; k++) {
      const d = depIdx[from + k]!;
      out[k] = d < 0 ? undefined : nodes[d];
    }
    return out;
  }

  /** Moves to state code `to`, or throws when that transition is not allowed (a bug, never user error). */
  transition(to: number): void {
    const states = this.table.state;
    const from = states[this.index]!;
    if (!allowed(from, to)) {
      throw new Error(`bandmaster internal error: \`${this.name}\` cannot go from ${STATES[from]} to ${STATES[to]}`);
    }
    states[this.index] = to;
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
