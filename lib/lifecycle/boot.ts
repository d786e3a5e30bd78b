import type { BandmasterError } from '../errors';
import { lifecycleError } from './outcome';
import { START_WARNING_MS, StartWatchdog } from './watchdog';
import { FAILED, IDLE, STANDBY, STARTED, STARTING, STOPPED, WAITING, type NodeTable, type ServiceNode } from './node';
import { STANDBY_INSTANCE } from '../fleet/standby';
import { isOptionalDep, isOptionalEdge } from '../graph/edges';
import { Run } from './run';
import { stopInstance } from './hooks';
import { AttemptRun, type AttemptHost, type Outcome } from './attempt';
import { START } from './operations';
import { ReadyQueue } from './ready';

/**
 * One boot: starts its member services, each as soon as its own dependencies are started.
 * Event-driven: a settling service decrements its dependents' pending counts; no polling, no
 * per-level barriers. Other start requests may join a running boot with {@link Boot.add}.
 */
export class Boot extends Run implements AttemptHost<ServiceNode> {
  #members: ServiceNode[] = [];
  #remaining = 0;
  #watchdog: StartWatchdog | undefined;
  /** Services whose dependencies all settled. */
  readonly #ready = new ReadyQueue<ServiceNode>((node, now) => {
    if (node.code === WAITING && !this.aborted) this.#launch(node, now);
  });
  /** Why members failed, kept apart from their state: a later stopAll resets that state, not this. */
  readonly #failures = new Map<ServiceNode, BandmasterError>();

  /** Errors of the members that failed in this boot, in the order they joined it. */
  get errors(): BandmasterError[] {
    const errors: BandmasterError[] = [];
    if (this.#failures.size === 0) return errors;
    // a member that failed and was enlisted again is listed twice
    for (const node of new Set(this.#members)) {
      const error = this.#failures.get(node);
      if (error) errors.push(error);
    }
    return errors;
  }

  /** True when a required member failed in this boot. */
  get requiredFailed(): boolean {
    for (const node of this.#failures.keys()) if (node.spec.required) return true;
    return false;
  }

  /** Adds services (a validated dependency closure) and launches the ones that are ready. */
  add(nodes: readonly ServiceNode[]): void {
    const fresh = this.#enlist(nodes);
    if (this.aborted) {
      for (const node of fresh) this.#fail(node, this.#aborted(node, this.signal.reason));
      this.#maybeFinish();
      return;
    }
    // indexed loops on the hot paths: a for-of runs an iterator, which allocates until optimised
    const { state, pending, plan, depStart, depIdx, linked } = this.ctx.table;
    for (let j = 0; j < fresh.length; j++) {
      const i = fresh[j]!.index;
      plan[i] = linked;
      let unsettled = 0;
      for (let e = depStart[i]!; e < depStart[i + 1]!; e++) {
        const d = depIdx[e]!;
        // a failed service not enlisted again (given up by supervision) settled: an optional edge does not wait for it
        if (d >= 0 && state[d] !== STARTED && !(state[d] === FAILED && isOptionalDep(fresh[j]!.spec, e - depStart[i]!))) unsettled++;
      }
      pending[i] = unsettled;
    }
    for (let j = 0; j < fresh.length; j++) {
      const node = fresh[j]!;
      if (pending[node.index] === 0) this.#ready.push(node);
    }
    this.#ready.drain(this.ctx.clock.now());
    this.#maybeFinish();
  }

  #enlist(nodes: readonly ServiceNode[]): ServiceNode[] {
    const now = this.ctx.clock.now();
    // sized up front and cut to what joined: a list grown by push is copied at every growth
    const fresh: ServiceNode[] = new Array(nodes.length);
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const s = node.code;
      if (s !== IDLE && s !== STOPPED && s !== FAILED) continue;
      if (s === FAILED) uncount(this.ctx.table, node.index);
      node.transition(WAITING);
      node.error = undefined;
      node.attempts = 0;
      node.attemptAt = 0;
      node.settledAt = 0;
      node.queuedAt = now;
      if (this.#failures.size > 0) this.#failures.delete(node);
      fresh[count++] = node;
    }
    fresh.length = count;
    this.#remaining += count;
    // a copy: a start() joining from a hook pushes to the members while add() walks `fresh`
    if (this.#members.length === 0) this.#members = fresh.slice();
    else for (let i = 0; i < count; i++) this.#members.push(fresh[i]!);
    return fresh;
  }

  /** Starts `node`'s attempts, as of `now` (one clock read per service). */
  #launch(node: ServiceNode, now: number): void {
    node.transition(STARTING);
    node.attemptAt = now;
    if (node.spec.startTimeout === undefined) this.#watch();
    const run = (node.attempt = new AttemptRun(node, this, START, now));
    run.begin();
  }

  /** {@link AttemptHost.began}: counts the attempt, announces it. */
  began(node: ServiceNode, attempt: number): void {
    node.attempts = attempt;
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'starting', service: node.name, required: node.spec.required, attempt });
  }

  /** {@link AttemptHost.retrying}. */
  retrying(node: ServiceNode, attempt: number, delayMs: number, error: unknown): void {
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'start-retrying', service: node.name, required: node.spec.required, attempt, delayMs, error });
  }

  /** {@link AttemptHost.settled}: the service's one outcome in this boot. */
  settled(node: ServiceNode, outcome: Outcome): void {
    node.attempt = undefined;
    if (node.code !== STARTING) return outcome.ok ? this.late(node, outcome.value) : undefined;
    if (outcome.ok) return outcome.value === STANDBY_INSTANCE ? this.#park(node) : this.#succeed(node, outcome.value);
    this.#fail(node, lifecycleError('ServiceStartFailure', { service: node.name, cause: outcome.error, attempts: outcome.attempts }));
    this.#maybeFinish();
  }

  /** {@link AttemptHost.late}: an instance the boot gave up on is stopped, not left connected. */
  late(node: ServiceNode, instance: unknown): void {
    void stopInstance(node, instance);
  }

  #succeed(node: ServiceNode, instance: unknown): void {
    const now = this.ctx.clock.now();
    node.instance = instance;
    node.settledAt = now;
    node.transition(STARTED);
    const events = this.ctx.events;
    if (events.active) {
      events.emit({ type: 'started', service: node.name, required: node.spec.required, attempt: node.attempts, durationMs: now - node.attemptAt });
    }
    node.notify();
    this.#remaining--;
    const table = this.ctx.table;
    const i = node.index;
    for (let k = table.dntStart[i]!; k < table.dntStart[i + 1]!; k++) {
      const j = table.dntIdx[k]!;
      if (table.state[j] === WAITING && i < table.plan[j]! && --table.pending[j]! === 0) this.#ready.push(table.nodes[j]!);
    }
    this.#ready.drain(now);
    this.#maybeFinish();
  }

  /**
   * An `exclusive` service whose lock another replica holds: it and, breadth-first, every waiting
   * dependent that needs it stand by (settled, not failed); optional dependents go on without it.
   */
  #park(first: ServiceNode): void {
    const queue = [first];
    const table = this.ctx.table;
    const now = this.ctx.clock.now();
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      if (node.code !== WAITING && node.code !== STARTING) continue;
      node.transition(STANDBY);
      node.settledAt = now;
      this.#remaining--;
      const events = this.ctx.events;
      if (events.active) events.emit({ type: 'standby', service: node.name, required: node.spec.required, attempt: node.attempts });
      node.notify();
      const d = node.index;
      for (let k = table.dntStart[d]!; k < table.dntStart[d + 1]!; k++) {
        const j = table.dntIdx[k]!;
        if (table.state[j] !== WAITING || d >= table.plan[j]!) continue;
        if (!isOptionalEdge(table, d, k)) queue.push(table.nodes[j]!);
        else if (--table.pending[j]! === 0) this.#ready.push(table.nodes[j]!);
      }
    }
    this.#ready.drain(now);
    this.#maybeFinish();
  }

  /** Fails a node and, breadth-first, every waiting dependent that needs it (no recursion). */
  #fail(first: ServiceNode, firstError: BandmasterError): void {
    const queue: [ServiceNode, BandmasterError][] = [[first, firstError]];
    for (let i = 0; i < queue.length; i++) {
      const [node, error] = queue[i]!;
      const s = node.code;
      if (s !== WAITING && s !== STARTING) continue;
      this.#markFailed(node, error);
      if (this.aborted) continue;
      const table = this.ctx.table;
      const d = node.index;
      for (let k = table.dntStart[d]!; k < table.dntStart[d + 1]!; k++) {
        const j = table.dntIdx[k]!;
        // an edge its plan did not count (registered since) neither fails nor launches it
        if (table.state[j] !== WAITING || d >= table.plan[j]!) continue;
        const dependent = table.nodes[j]!;
        if (!isOptionalEdge(table, d, k)) {
          queue.push([dependent, lifecycleError('DependencyUnavailable', { service: dependent.name, dependency: node.name, cause: error })]);
        } else if (--table.pending[j]! === 0) {
          this.#ready.push(dependent);
        }
      }
    }
    this.#ready.drain(this.ctx.clock.now());
  }

  #markFailed(node: ServiceNode, error: BandmasterError): void {
    node.error = error;
    this.#failures.set(node, error);
    node.settledAt = this.ctx.clock.now();
    node.transition(FAILED);
    this.#remaining--;
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'start-failed', service: node.name, required: node.spec.required, attempt: node.attempts, error });
    node.notify();
  }

  #aborted(node: ServiceNode, reason: unknown): BandmasterError {
    return lifecycleError('ServiceStartFailure', { service: node.name, cause: reason, attempts: node.attempts });
  }

  /** Ends the attempts still running (each settles as aborted) and fails the members still waiting. */
  protected onAbort(reason: unknown): void {
    for (const node of this.#members) {
      if (node.code === STARTING) node.attempt?.abort(reason);
      if (node.code === WAITING) this.#markFailed(node, this.#aborted(node, reason));
    }
  }

  #maybeFinish(): void {
    if (this.#remaining === 0) this.finish();
  }

  /** Arms the watchdog that names a start hook that never settles (one timer per boot). */
  #watch(): void {
    if (this.#watchdog) return this.#watchdog.arm();
    const { log, startWarningMs = START_WARNING_MS } = this.ctx;
    if (log === undefined || startWarningMs === false) return;
    const watchdog = (this.#watchdog = new StartWatchdog(() => this.#members, () => this.ctx.clock.now(), log, startWarningMs));
    watchdog.arm();
    void this.done.then(() => watchdog.dispose());
  }
}

/**
 * A failed service is about to be tried again: the dependents still waiting on it counted its
 * failure as settled (only optional edges leave a dependent waiting), and will count its next
 * outcome, so each owes it one edge again. Dependents enlisted in the same call are recounted by
 * {@link Boot.add} anyway.
 */
function uncount(table: NodeTable, i: number): void {
  const { dntStart, dntIdx, state, pending, plan } = table;
  for (let k = dntStart[i]!; k < dntStart[i + 1]!; k++) {
    const j = dntIdx[k]!;
    if (state[j] === WAITING && i < plan[j]!) pending[j]!++;
  }
}
