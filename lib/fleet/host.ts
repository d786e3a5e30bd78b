/**
 * The container's side of `exclusive` and `once` services: takes their locks when they start,
 * keeps a standby replica watching for the lock and hands a takeover to the supervisor (the same
 * motion as a restart: the service, then its dependents), stands a holder down when its lease is
 * lost, and gives every lock back on `stopAll`.
 */
import type { LifecycleEvents } from '../events';
import { isOptionalEdge } from '../graph/edges';
import { STANDBY, STARTED, STOPPED, type NodeTable, type ServiceNode } from '../lifecycle/node';
import type { InjectionToken } from '../tokens';
import { engineFor } from './engine';
import { acquire, type Lease, type LockEngine } from './lock';
import { runOnce } from './once';
import { callInner, startInner, type FleetRuntime, type FleetService } from './service';
import { STANDBY_INSTANCE } from './standby';

/** What the fleet runtime needs of its container. */
export interface FleetHostDeps {
  readonly events: LifecycleEvents;
  lookup(token: InjectionToken): ServiceNode | undefined;
  /** The container's services, linked. */
  linked(): NodeTable;
  /** Starts a standby service and its standby dependents (the supervisor's restart motion). */
  takeover(node: ServiceNode): Promise<void>;
  /** Stops `nodes` (a service first, then what follows it into standby) and leaves them standby. */
  standDown(nodes: readonly ServiceNode[]): Promise<void>;
}

/** How often a waiting replica tries the lock (or looks for a `once` record). */
const POLL_MS = 50;
/** After a lock connection failed, how long a standby waits before it opens a new one. */
const RECONNECT_MS = 1_000;

/** One exclusive service's lock on this replica. */
interface Slot {
  engine: LockEngine | undefined;
  /** The lock client the engine was made from. */
  client: unknown;
  /** The lease its started instance holds. */
  held: Lease | undefined;
  /** A lease a standby took, for the takeover's start. */
  pending: Lease | undefined;
  watcher: AbortController | undefined;
  watching: Promise<void> | undefined;
}

/** The {@link FleetRuntime} of one container. */
export class FleetHost implements FleetRuntime {
  readonly #deps: FleetHostDeps;
  readonly #slots = new Map<string, Slot>();
  /** Lock connections of finished `once` steps that are still ending. */
  readonly #closing = new Set<Promise<void>>();

  constructor(deps: FleetHostDeps) {
    this.#deps = deps;
  }

  start(service: FleetService, client: unknown, args: unknown[], signal: AbortSignal): Promise<unknown> {
    return service.mode === 'once' ? this.#once(service, client, args, signal) : this.#exclusive(service, client, args, signal);
  }

  async stop(service: FleetService, instance: unknown, signal: AbortSignal): Promise<void> {
    if (instance === STANDBY_INSTANCE) return;
    if (service.mode === 'once') {
      // a replica that skipped the step has no instance to stop
      if (instance !== undefined) await callInner(service.inner, 'onStop', instance, signal);
      return;
    }
    await callInner(service.inner, 'onStop', instance, signal);
    const slot = this.#slots.get(service.name);
    if (slot === undefined) return;
    const lease = slot.held;
    slot.held = undefined;
    if (lease !== undefined) await this.#release(service, lease);
    await closeEngine(slot);
  }

  /**
   * `stopAll` began: standby watchers end, standby services become stopped, and every lock not
   * held by a started instance (whose stop releases it) is given back with its connection.
   */
  async halt(): Promise<void> {
    const table = this.#deps.linked();
    for (const node of table.nodes) if (node.code === STANDBY) node.transition(STOPPED);
    const slots = [...this.#slots.values()];
    for (const slot of slots) slot.watcher?.abort(new DOMException('stopAll()', 'AbortError'));
    await Promise.all(slots.map((slot) => slot.watching));
    await Promise.all(
      slots.map(async (slot) => {
        const pending = slot.pending;
        slot.pending = undefined;
        await pending?.release().catch(() => undefined);
        if (slot.held === undefined) await closeEngine(slot);
      }),
    );
    // including those of once steps whose start ended while this stop began
    while (this.#closing.size > 0) await Promise.all(this.#closing);
  }

  async #once(service: FleetService, client: unknown, args: unknown[], signal: AbortSignal): Promise<unknown> {
    const engine = engineFor(service.name, client, service.leaseMs);
    try {
      let instance: unknown;
      const outcome = await runOnce(engine, service.key, async (s) => void (instance = await startInner(service.inner, args, s)), { signal, pollMs: POLL_MS });
      return outcome === 'ran' ? instance : undefined;
    } finally {
      // runOnce released the lock; ending its connection is not part of the start (stopAll waits for it)
      const closing = engine.close().catch(() => undefined);
      this.#closing.add(closing);
      void closing.finally(() => this.#closing.delete(closing));
    }
  }

  async #exclusive(service: FleetService, client: unknown, args: unknown[], signal: AbortSignal): Promise<unknown> {
    const slot = this.#slot(service.name);
    let lease = slot.pending;
    slot.pending = undefined;
    if (lease?.lost.aborted) lease = undefined;
    if (lease === undefined) lease = await this.#tryAcquire(service, slot, client);
    if (lease === undefined) {
      if (!signal.aborted) this.#watch(service, slot);
      return STANDBY_INSTANCE;
    }
    let instance: unknown;
    try {
      instance = await startInner(service.inner, args, AbortSignal.any([signal, lease.lost]));
      lease.lost.throwIfAborted();
    } catch (err) {
      await this.#release(service, lease);
      throw err;
    }
    slot.held = lease;
    lease.lost.addEventListener('abort', () => this.#lost(service, slot, lease), { once: true });
    return instance;
  }

  async #tryAcquire(service: FleetService, slot: Slot, client: unknown): Promise<Lease | undefined> {
    try {
      if (slot.engine === undefined || slot.client !== client) await closeEngine(slot);
      slot.engine ??= engineFor(service.name, client, service.leaseMs);
      slot.client = client;
      const lease = await slot.engine.tryAcquire(service.key);
      if (lease !== undefined) this.#emit(service, { type: 'acquired', key: service.key, token: lease.token });
      return lease;
    } catch (err) {
      // a dead lock connection is not reused: the next attempt opens a new one
      await closeEngine(slot);
      throw err;
    }
  }

  /** Waits for the lock in the background, then hands the service to the supervisor's takeover. */
  #watch(service: FleetService, slot: Slot): void {
    if (slot.watcher !== undefined) return;
    const controller = (slot.watcher = new AbortController());
    slot.watching = this.#watchLoop(service, slot, controller.signal).finally(() => {
      if (slot.watcher === controller) slot.watcher = slot.watching = undefined;
    });
  }

  async #watchLoop(service: FleetService, slot: Slot, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let lease: Lease;
      try {
        if (slot.engine === undefined) slot.engine = engineFor(service.name, slot.client, service.leaseMs);
        lease = await acquire(slot.engine, service.key, { signal, pollMs: POLL_MS });
      } catch {
        if (signal.aborted) return;
        await closeEngine(slot);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RECONNECT_MS);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        continue;
      }
      const node = this.#deps.lookup(service.name);
      if (node === undefined || node.code !== STANDBY) return void lease.release().catch(() => undefined);
      this.#emit(service, { type: 'acquired', key: service.key, token: lease.token });
      slot.pending = lease;
      slot.watcher = slot.watching = undefined;
      await this.#deps.takeover(node).catch(() => undefined);
      // a takeover that never reached the start (stopAll came first) leaves the lease unused
      if (slot.pending === lease) {
        slot.pending = undefined;
        await this.#release(service, lease);
      }
      return;
    }
  }

  /** The holder's lease is lost: it stops its instance (and its required dependents) and stands by. */
  #lost(service: FleetService, slot: Slot, lease: Lease): void {
    if (slot.held !== lease) return;
    const node = this.#deps.lookup(service.name);
    if (node === undefined || node.code !== STARTED) return;
    const set = requiredDependents(this.#deps.linked(), node);
    void this.#deps.standDown(set).then(() => {
      for (const n of set) if (n.code === STANDBY) this.#emitFor(n, { type: 'standby' });
      if (node.code === STANDBY) this.#watch(service, slot);
    });
  }

  async #release(service: FleetService, lease: Lease): Promise<void> {
    await lease.release().catch(() => undefined);
    this.#emit(service, { type: 'released', key: service.key });
  }

  #slot(name: string): Slot {
    let slot = this.#slots.get(name);
    if (slot === undefined) this.#slots.set(name, (slot = { engine: undefined, client: undefined, held: undefined, pending: undefined, watcher: undefined, watching: undefined }));
    return slot;
  }

  #emit(service: FleetService, event: { type: 'acquired'; key: string; token: number } | { type: 'released'; key: string }): void {
    const node = this.#deps.lookup(service.name);
    if (node !== undefined) this.#emitFor(node, event);
  }

  #emitFor(node: ServiceNode, event: { type: 'acquired'; key: string; token: number } | { type: 'released'; key: string } | { type: 'standby' }): void {
    const events = this.#deps.events;
    if (events.active) events.emit({ ...event, service: node.name, required: node.spec.required, attempt: node.attempts });
  }
}

async function closeEngine(slot: Slot): Promise<void> {
  const engine = slot.engine;
  slot.engine = undefined;
  await engine?.close().catch(() => undefined);
}

/** `node`, then every started service that needs it through required edges, transitively. */
export function requiredDependents(table: NodeTable, node: ServiceNode): ServiceNode[] {
  const { dntStart, dntIdx, nodes, state } = table;
  const seen = new Set<number>([node.index]);
  const out = [node];
  for (let q = 0; q < out.length; q++) {
    const d = out[q]!.index;
    for (let k = dntStart[d]!; k < dntStart[d + 1]!; k++) {
      const j = dntIdx[k]!;
      if (seen.has(j) || state[j] !== STARTED || isOptionalEdge(table, d, k)) continue;
      seen.add(j);
      out.push(nodes[j]!);
    }
  }
  return out;
}
