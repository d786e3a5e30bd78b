import type { BandmasterError } from './errors';
import { lifecycleError } from './lifecycle/outcome';
import { abandonedSettled, hasHook, stopAttempt } from './hooks';
import { FAILED, STARTED, STARTING, STOPPED, STOPPING, WAITING, type ServiceNode } from './node';
import { isThenable, normalizeBackoff, retry, type RetryOutcome } from './retry';
import { Run } from './run';

const DONE: RetryOutcome<unknown> = { ok: true, value: undefined, attempts: 1 };

/** Shutdown ids: a service's `run` column holds the id of the shutdown it is a live member of. */
let lastId = 0;

/**
 * The latest stop attempt of a service whose stop runs through the retry loop (retries or a
 * stopTimeout), while it may still finish after the loop gave up on it: see {@link Shutdown.#watchLate}.
 * The single-attempt path needs none: its own reaction to the hook sees a late result.
 */
const lastAttempt = new WeakMap<ServiceNode, { readonly attempt: PromiseLike<unknown>; readonly t0: number }>();

/**
 * One shutdown: stops every started member only after all of its started dependents stopped,
 * in parallel otherwise. A service whose dependent failed to stop fails with `ParentUnavailable`
 * and stays started, as does one whose own stop failed.
 */
export class Shutdown extends Run {
  /** The services started when it began; each is marked with this id in the table's `run` column until its stop fails. */
  #members: ServiceNode[] = [];
  readonly #id = ++lastId;
  /** Services ready to stop, drained in a loop: hookless chains must not recurse. */
  readonly #ready: ServiceNode[] = [];
  #draining = false;
  #remaining = 0;
  /** The services it will stop once the abandoned starts among them settled (see {@link Shutdown.begin}). */
  #fenced: readonly ServiceNode[] | undefined = undefined;

  /**
   * Stops the started services among `nodes`; the ones that failed to start become stopped.
   * Starts abandoned by an aborted boot settle and are cleaned up first (see {@link abandonedSettled}).
   */
  begin(nodes: readonly ServiceNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.inflight !== undefined || node.cleanup !== undefined) {
        this.#fenced = nodes;
        void abandonedSettled(nodes).then(() => {
          const fenced = this.#fenced;
          this.#fenced = undefined;
          if (fenced) this.#begin(fenced);
        });
        return;
      }
    }
    this.#begin(nodes);
  }

  #begin(nodes: readonly ServiceNode[]): void {
    // indexed loops on the hot paths: a for-of runs an iterator, which allocates until optimised
    const table = this.ctx.table;
    const id = this.#id;
    // sized up front and cut to the started ones: a list grown by push is copied at every growth
    const members: ServiceNode[] = new Array(nodes.length);
    let count = 0;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.code === FAILED) {
        // nothing to stop, but the next boot tries it afresh like any stopped service
        node.transition(STOPPED);
        node.error = undefined;
      }
      if (node.code !== STARTED) continue;
      node.error = undefined;
      node.stopAttempts = 0;
      node.stopMs = 0;
      table.run[node.index] = id;
      members[count++] = node;
    }
    members.length = count;
    this.#members = members;
    this.#remaining = count;
    if (this.aborted) return this.onAbort(this.signal.reason);
    const { run, pending, dntStart, dntIdx } = table;
    for (let j = 0; j < members.length; j++) {
      const node = members[j]!;
      const i = node.index;
      let unsettled = 0;
      for (let k = dntStart[i]!; k < dntStart[i + 1]!; k++) if (run[dntIdx[k]!] === id) unsettled++;
      pending[i] = unsettled;
      if (unsettled === 0) this.#ready.push(node);
    }
    this.#drain(this.ctx.clock.now());
    if (this.#remaining === 0) this.finish();
  }

  /** Queues a service whose dependents all stopped; `now`: when the last one did. */
  #schedule(node: ServiceNode, now: number): void {
    this.#ready.push(node);
    if (!this.#draining) this.#drain(now);
  }

  /** Launches the queued services, as of `now` (one clock read per service, not two). */
  #drain(now: number): void {
    this.#draining = true;
    while (this.#ready.length > 0) {
      const node = this.#ready.pop()!;
      if (node.code === STARTED && !node.error && !this.aborted) this.#launch(node, now);
    }
    this.#draining = false;
  }

  #launch(node: ServiceNode, t0: number): void {
    node.transition(STOPPING);
    node.generation++;
    const generation = node.generation;
    const { spec } = node;
    const instance = node.instance;
    const events = this.ctx.events;
    if (!hasHook(node, 'onStop', instance)) {
      // nothing to run: settle synchronously, saving a retry loop per hookless service
      node.stopAttempts = 1;
      if (events.active) events.emit({ type: 'stopping', service: spec.name, required: spec.required, attempt: 1 });
      return this.#succeed(node, t0);
    }
    if (spec.retries === 0 && spec.stopTimeout === undefined) return this.#attemptOnce(node, generation, t0, instance);
    retry<unknown>({
      retries: spec.retries,
      backoff: normalizeBackoff(spec.backoff),
      signal: this.signal,
      timeout: spec.stopTimeout,
      what: `\`${spec.name}\` stop attempt`,
      clock: this.ctx.clock,
      attempt: (signal, attempt) => {
        const result = stopAttempt(node, instance, signal, attempt);
        if (isThenable(result)) lastAttempt.set(node, { attempt: result, t0 });
        else lastAttempt.delete(node);
        return result;
      },
      onAttempt: (attempt) => {
        node.stopAttempts = attempt;
        if (events.active) events.emit({ type: 'stopping', service: spec.name, required: spec.required, attempt });
      },
      onRetry: (attempt, delayMs, error) => {
        if (events.active) events.emit({ type: 'stop-retrying', service: spec.name, required: spec.required, attempt, delayMs, error });
      },
    }).then((outcome) => {
      if (outcome.ok) lastAttempt.delete(node);
      this.#settle(node, generation, t0, outcome);
    });
  }

  /**
   * One attempt without a time limit, without the retry loop and its race with the abort signal:
   * an abort already fails this node at once and bumps its generation, so a late result only
   * counts through {@link Shutdown.#stoppedLate}.
   */
  #attemptOnce(node: ServiceNode, generation: number, t0: number, instance: unknown): void {
    node.stopAttempts = 1;
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'stopping', service: node.spec.name, required: node.spec.required, attempt: 1 });
    let value: unknown;
    try {
      value = stopAttempt(node, instance, this.signal);
    } catch (error) {
      value = Promise.reject(error);
    }
    Promise.resolve(value).then(
      () => this.#settle(node, generation, t0, DONE),
      (error: unknown) => this.#settle(node, generation, t0, { ok: false, error, attempts: 1, aborted: this.aborted }),
    );
  }

  #settle(node: ServiceNode, generation: number, t0: number, outcome: RetryOutcome<unknown>): void {
    if (node.generation !== generation || node.code !== STOPPING) {
      // the abort moved it back to started (generation + 1): its hook finished after all
      if (outcome.ok && node.generation === generation + 1) this.#stoppedLate(node, generation + 1, t0);
      return;
    }
    if (outcome.ok) return this.#succeed(node, t0);
    node.stopMs = this.ctx.clock.now() - t0;
    node.transition(STARTED);
    // it is started again: wake ready() callers that came while it was stopping
    node.notify();
    this.#watchLate(node);
    this.#failWithParents(node, lifecycleError('ServiceStopFailure', { service: node.name, cause: outcome.error, attempts: outcome.attempts }));
  }

  /**
   * The retry loop gave up on a stop (attempt timeout, abort) whose last attempt is still
   * running: if that attempt succeeds after all, the service is closed and becomes stopped.
   */
  #watchLate(node: ServiceNode): void {
    const last = lastAttempt.get(node);
    if (!last) return;
    lastAttempt.delete(node);
    const { attempt, t0 } = last;
    const generation = node.generation;
    attempt.then(
      () => this.#stoppedLate(node, generation, t0),
      () => undefined,
    );
  }

  /**
   * A stop the container gave up on finished after all. The service is closed: it becomes
   * stopped, with a `stopped` event, rather than staying "started" with a closed client (a later
   * stopAll would call its hook on it again). Only when nothing happened to it since (same
   * generation, still started); the shutdown that gave up on it reports the failure.
   */
  #stoppedLate(node: ServiceNode, generation: number, t0: number): void {
    if (node.generation !== generation || node.code !== STARTED || this.#inUseByBoot(node)) return;
    node.generation++;
    // through stopping, as every stop goes: the state machine has no started -> stopped
    node.transition(STOPPING);
    node.stopMs = this.ctx.clock.now() - t0;
    node.instance = undefined;
    // its error stays: the shutdown that gave up on it reports it (it may not have returned yet)
    node.transition(STOPPED);
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'stopped', service: node.name, required: node.spec.required, attempt: node.stopAttempts, durationMs: node.stopMs });
  }

  /**
   * Whether a boot that began since is about to inject it: a dependent waiting or starting counted
   * it as started. It then stays started, for the next stopAll (the boot's dependents already
   * saw its instance, or will).
   */
  #inUseByBoot(node: ServiceNode): boolean {
    const { dntStart, dntIdx, state } = this.ctx.table;
    for (let k = dntStart[node.index]!; k < dntStart[node.index + 1]!; k++) {
      const s = state[dntIdx[k]!];
      if (s === WAITING || s === STARTING) return true;
    }
    return false;
  }

  #succeed(node: ServiceNode, t0: number): void {
    const now = this.ctx.clock.now();
    node.stopMs = now - t0;
    node.instance = undefined;
    node.transition(STOPPED);
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'stopped', service: node.name, required: node.spec.required, attempt: node.stopAttempts, durationMs: node.stopMs });
    this.#remaining--;
    // a live member (its run mark is this id) whose stop has not failed; scheduling runs user
    // code, which may grow the table: its columns are read through it each time
    const table = this.ctx.table;
    const id = this.#id;
    const i = node.index;
    for (let e = table.depStart[i]!; e < table.depStart[i + 1]!; e++) {
      const d = table.depIdx[e]!;
      if (d >= 0 && table.run[d] === id && table.state[d] === STARTED && --table.pending[d]! === 0) this.#schedule(table.nodes[d]!, now);
    }
    if (this.#remaining === 0) this.finish();
  }

  /** Records a stop failure and fails, breadth-first, every dependency still waiting on it. */
  #failWithParents(first: ServiceNode, firstError: BandmasterError): void {
    const queue: [ServiceNode, BandmasterError][] = [[first, firstError]];
    for (let i = 0; i < queue.length; i++) {
      const [node, error] = queue[i]!;
      if (node.error) continue;
      this.#markFailed(node, error);
      const table = this.ctx.table;
      const n = node.index;
      for (let e = table.depStart[n]!; e < table.depStart[n + 1]!; e++) {
        const d = table.depIdx[e]!;
        if (d >= 0 && table.run[d] === this.#id && table.state[d] === STARTED) {
          const dep = table.nodes[d]!;
          queue.push([dep, lifecycleError('ParentUnavailable', { service: dep.name, parent: node.name, cause: error })]);
        }
      }
    }
    if (this.#remaining === 0) this.finish();
  }

  #markFailed(node: ServiceNode, error: BandmasterError): void {
    node.error = error;
    // no longer a live member: its dependencies do not wait for it
    this.ctx.table.run[node.index] = 0;
    this.#remaining--;
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'stop-failed', service: node.name, required: node.spec.required, attempt: node.stopAttempts, error });
  }

  protected onAbort(reason: unknown): void {
    const fenced = this.#fenced;
    if (fenced) {
      // aborted before it began: its members fail with the abort reason, as they would have
      this.#fenced = undefined;
      return this.#begin(fenced);
    }
    for (const node of this.#members) {
      if (node.error || (node.code !== STARTED && node.code !== STOPPING)) continue;
      if (node.code === STOPPING) {
        node.generation++;
        node.transition(STARTED);
        node.notify();
        this.#watchLate(node);
      }
      this.#markFailed(node, lifecycleError('ServiceStopFailure', { service: node.name, cause: reason, attempts: node.stopAttempts }));
    }
    if (this.#remaining <= 0) this.finish();
  }

  /** Errors of this shutdown. */
  get errors(): BandmasterError[] {
    const out: BandmasterError[] = [];
    for (const node of this.#members) if (node.error) out.push(node.error);
    return out;
  }
}
