import type { BandmasterError } from './errors';
import { lifecycleError } from './lifecycle/outcome';
import { START_WARNING_MS, StartWatchdog } from './lifecycle/watchdog';
import { FAILED, IDLE, STARTED, STARTING, STOPPED, WAITING, type NodeTable, type ServiceNode } from './node';
import { isOptionalEdge } from './graph';
import { normalizeBackoff, raceAbort, retry, isThenable, type RetryOutcome } from './retry';
import { Run } from './run';
import { callHook, stopInstance } from './hooks';
import { fromValue } from './registration';
import { injectedArgs } from './lifecycle/inject';

/**
 * One boot: starts its member services, each as soon as its own dependencies are started.
 * Event-driven: a settling service decrements its dependents' pending counts; no polling, no
 * per-level barriers. Other start requests may join a running boot with {@link Boot.add}.
 */
export class Boot extends Run {
  #members: ServiceNode[] = [];
  #remaining = 0;
  #watchdog: StartWatchdog | undefined;
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
        if (d >= 0 && state[d] !== STARTED) unsettled++;
      }
      pending[i] = unsettled;
    }
    // launching runs user code, which may grow the table: its columns are read again
    const table = this.ctx.table;
    for (let j = 0; j < fresh.length; j++) {
      const node = fresh[j]!;
      if (table.pending[node.index] === 0 && table.state[node.index] === WAITING) this.#launch(node);
    }
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
      node.generation++;
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

  /** Starts `node`'s attempts; `now` is the time already read by the caller, if any (one clock read per service). */
  #launch(node: ServiceNode, now: number = this.ctx.clock.now()): void {
    node.transition(STARTING);
    node.attemptAt = now;
    const generation = node.generation;
    const spec = node.spec;
    if (spec.startTimeout === undefined) this.#watch();
    if (spec.retries === 0 && spec.startTimeout === undefined) return this.#attemptOnce(node, generation);
    const events = this.ctx.events;
    retry<unknown>({
      retries: spec.retries,
      backoff: normalizeBackoff(spec.backoff),
      signal: this.signal,
      timeout: spec.startTimeout,
      what: `\`${spec.name}\` start attempt`,
      clock: this.ctx.clock,
      attempt: (signal, attempt) => startAttempt(node, signal, attempt),
      onAttempt: (attempt) => {
        node.attempts = attempt;
        if (events.active) events.emit({ type: 'starting', service: spec.name, required: spec.required, attempt });
      },
      onRetry: (attempt, delayMs, error) => {
        if (events.active) events.emit({ type: 'start-retrying', service: spec.name, required: spec.required, attempt, delayMs, error });
      },
      onAbandoned: (instance) => void stopInstance(node, instance),
    }).then((outcome) => this.#settle(node, generation, outcome));
  }

  /**
   * The common case, one attempt without a time limit, without the retry loop and its race with
   * the abort signal: an abort already fails this node at once and bumps its generation, so a
   * late result is discarded (and undone) by {@link Boot.#settle}, as the loop would.
   */
  #attemptOnce(node: ServiceNode, generation: number): void {
    node.attempts = 1;
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'starting', service: node.spec.name, required: node.spec.required, attempt: 1 });
    if (node.inflight === undefined) return this.#startNow(node, generation);
    let value: unknown;
    try {
      value = startAttempt(node, this.signal);
    } catch (error) {
      value = Promise.reject(error);
    }
    this.#settleWith(node, generation, value);
  }

  /**
   * {@link startAttempt} with nothing to wait for. A synchronous factory whose start hook returns a
   * promise (the common case) settles from one reaction to that promise, which also marks the
   * attempt settled and clears it, instead of three chained ones; the rest goes the usual way.
   */
  #startNow(node: ServiceNode, generation: number): void {
    const signal = this.signal;
    let instance: unknown;
    let hook: unknown;
    try {
      instance = node.spec.create(node.spec, injectedArgs(node), signal);
      if (isThenable(instance)) return this.#settleWith(node, generation, tracked(node, Promise.resolve(instance).then((i) => runStartHook(node, i, signal))));
      hook = callHook(node, 'onStart', instance, signal);
    } catch (error) {
      return this.#settleWith(node, generation, Promise.reject(error));
    }
    if (!isThenable(hook)) return this.#settleWith(node, generation, instance);
    const settled: Promise<void> = Promise.resolve(hook).then(
      () => {
        if (node.inflight === settled) node.inflight = undefined;
        this.#settleOk(node, generation, instance);
      },
      (error: unknown) => {
        if (node.inflight === settled) node.inflight = undefined;
        this.#settleFailed(node, generation, error, 1);
      },
    );
    node.inflight = settled;
  }

  /** Settles a single attempt from what it returned, a value or a promise. */
  #settleWith(node: ServiceNode, generation: number, result: unknown): void {
    let value = result;
    // an attempt that returned synchronously after aborting its own boot lost the race, unstopped
    if (this.aborted && !isThenable(value)) value = Promise.reject(this.signal.reason);
    // settled from a fresh microtask, as the loop does: a synchronous chain of dependents never recurses
    Promise.resolve(value).then(
      (instance) => this.#settleOk(node, generation, instance),
      (error: unknown) => this.#settleFailed(node, generation, error, 1),
    );
  }

  #settle(node: ServiceNode, generation: number, outcome: RetryOutcome<unknown>): void {
    if (outcome.ok) this.#settleOk(node, generation, outcome.value);
    else this.#settleFailed(node, generation, outcome.error, outcome.attempts);
  }

  #settleOk(node: ServiceNode, generation: number, instance: unknown): void {
    // the boot gave up on this service (abort) while its attempt was finishing: undo it
    if (node.generation !== generation || node.code !== STARTING) void stopInstance(node, instance);
    else this.#succeed(node, instance);
  }

  #settleFailed(node: ServiceNode, generation: number, cause: unknown, attempts: number): void {
    if (node.generation !== generation || node.code !== STARTING) return;
    this.#fail(node, lifecycleError('ServiceStartFailure', { service: node.name, cause, attempts }));
    this.#maybeFinish();
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
    // launching runs user code, which may grow the table: its columns are read through it each time
    const table = this.ctx.table;
    const i = node.index;
    for (let k = table.dntStart[i]!; k < table.dntStart[i + 1]!; k++) {
      const j = table.dntIdx[k]!;
      if (table.state[j] === WAITING && i < table.plan[j]! && --table.pending[j]! === 0) this.#launch(table.nodes[j]!, now);
    }
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
          this.#launch(dependent);
        }
      }
    }
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

  protected onAbort(reason: unknown): void {
    for (const node of this.#members) {
      if (node.code !== WAITING && node.code !== STARTING) continue;
      node.generation++;
      this.#markFailed(node, this.#aborted(node, reason));
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

/**
 * One start attempt. A retry within the same boot builds a fresh instance and calls its hook
 * again, even while the attempt it gave up on still runs (DESIGN, "Retries really retry"); the
 * first attempt of a boot, and every attempt on a shared instance (`useValue`), waits for an
 * earlier one still unwinding (its boot was aborted), abortably.
 */
function startAttempt(node: ServiceNode, signal: AbortSignal, attempt = 1): unknown {
  const previous = node.inflight;
  if (previous && (attempt === 1 || node.spec.create === fromValue)) return raceAbort(previous, signal).then(() => startAttempt(node, signal, attempt));
  const result = constructAndStart(node, signal);
  return isThenable(result) ? tracked(node, result) : result;
}

/** Marks `result` as the node's attempt in flight until it settles; returns it. */
function tracked<T>(node: ServiceNode, result: PromiseLike<T>): PromiseLike<T> {
  // one reaction both marks the attempt settled and clears it, before any waiter runs
  const clear = (): void => {
    if (node.inflight === settled) node.inflight = undefined;
  };
  const settled: Promise<void> = Promise.resolve(result).then(clear, clear);
  node.inflight = settled;
  return result;
}

/** Constructs with started dependencies, then runs the start hook. */
function constructAndStart(node: ServiceNode, signal: AbortSignal): unknown {
  const spec = node.spec;
  const created = spec.create(spec, injectedArgs(node), signal);
  if (isThenable(created)) return Promise.resolve(created).then((instance) => runStartHook(node, instance, signal));
  return runStartHook(node, created, signal);
}

/** Runs the start hook, if any; resolves (or returns) the instance. */
function runStartHook(node: ServiceNode, instance: unknown, signal: AbortSignal): unknown {
  const result = callHook(node, 'onStart', instance, signal);
  return isThenable(result) ? Promise.resolve(result).then(() => instance) : instance;
}
