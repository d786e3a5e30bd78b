import type { BandmasterError } from '../errors';
import { lifecycleError } from './outcome';
import { abandonedSettled } from './hooks';
import { FAILED, STARTED, STARTING, STOPPED, STOPPING, WAITING, type ServiceNode } from './node';
import { Run } from './run';
import { AttemptRun, type AttemptHost, type Outcome } from './attempt';
import { CLOSED, STOP } from './operations';
import { ReadyQueue } from './ready';

/**
 * One shutdown: stops every started member only after all of its started dependents stopped,
 * in parallel otherwise. A service whose dependent failed to stop fails with `ParentUnavailable`
 * and stays started, as does one whose own stop failed.
 */
export class Shutdown extends Run implements AttemptHost<ServiceNode> {
  /** The services started when it began; each is marked with this id in the table's `run` column until its stop fails. */
  #members: ServiceNode[] = [];
  /** This shutdown's id, unique in its table: a service's `run` column holds the id of the shutdown it is a live member of. */
  readonly #id = ++this.ctx.table.shutdowns;
  /** Services whose dependents all stopped. */
  readonly #ready = new ReadyQueue<ServiceNode>((node, now) => {
    if (node.code === STARTED && !node.error && !this.aborted) this.#launch(node, now);
  });
  #remaining = 0;
  /** The services it will stop once the abandoned starts among them settled (see {@link Shutdown.begin}). */
  #fenced: readonly ServiceNode[] | undefined = undefined;

  /**
   * Stops the started services among `nodes`; the ones that failed to start become stopped.
   * Starts abandoned by an aborted boot settle and are cleaned up first (see {@link abandonedSettled}),
   * unless it is aborted already (a caller's signal that aborted before it began): it is then over
   * at once, and must not wait to touch services that newer runs hold by then.
   */
  begin(nodes: readonly ServiceNode[]): void {
    if (this.aborted) return this.#begin(nodes);
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
    this.#ready.drain(this.ctx.clock.now());
    if (this.#remaining === 0) this.finish();
  }

  #launch(node: ServiceNode, t0: number): void {
    node.transition(STOPPING);
    const run = (node.attempt = new AttemptRun(node, this, STOP, t0));
    run.begin();
  }

  /** {@link AttemptHost.began}: counts the attempt, announces it. */
  began(node: ServiceNode, attempt: number): void {
    node.stopAttempts = attempt;
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'stopping', service: node.name, required: node.spec.required, attempt });
  }

  /** {@link AttemptHost.retrying}. */
  retrying(node: ServiceNode, attempt: number, delayMs: number, error: unknown): void {
    const events = this.ctx.events;
    if (events.active) events.emit({ type: 'stop-retrying', service: node.name, required: node.spec.required, attempt, delayMs, error });
  }

  /**
   * {@link AttemptHost.settled}: the service's one outcome in this shutdown. A failed stop leaves
   * it started (its dependencies then fail with `ParentUnavailable`), and its run in
   * `node.attempt`, so that a late success can still close it (see {@link Shutdown.late}).
   */
  settled(node: ServiceNode, outcome: Outcome): void {
    const run = node.attempt;
    if (node.code !== STOPPING || run === undefined) return;
    if (outcome.ok) {
      node.attempt = undefined;
      return this.#succeed(node, run.since);
    }
    node.stopMs = this.ctx.clock.now() - run.since;
    node.transition(STARTED);
    // it is started again: wake ready() callers that came while it was stopping
    node.notify();
    const error = lifecycleError('ServiceStopFailure', { service: node.name, cause: outcome.error, attempts: outcome.attempts });
    if (!outcome.aborted) return this.#failWithParents(node, error);
    // an abort fails every member with its reason (onAbort), not with ParentUnavailable
    this.#markFailed(node, error);
    if (this.#remaining === 0) this.finish();
  }

  /**
   * {@link AttemptHost.late}: a stop the shutdown gave up on (its deadline, an abort) finished
   * after all. The service is closed: it becomes stopped, with a `stopped` event, rather than
   * staying "started" with a closed client (a later stopAll would call its hook on it again).
   * Only when it is the last try of a run that failed and nothing happened to the service since
   * (no attempt began, still started); the shutdown that gave up on it reports the failure. When
   * a newer shutdown holds it as a member (waiting for its dependents) or a boot is about to
   * inject it, its state is theirs: it stays started, marked closed, so that the stop that comes
   * next succeeds without calling the hook again (the newer shutdown then still stops it in order).
   */
  late(node: ServiceNode, _value: unknown, attempt: number, run: AttemptRun<ServiceNode>): void {
    if (run.outcome?.ok !== false || attempt !== run.attempts || node.attempt !== run || node.code !== STARTED) return;
    // a failed stop left the run column at 0; a newer shutdown that took the service marked it with its id
    if (this.ctx.table.run[node.index] !== 0 || this.#inUseByBoot(node)) {
      node.stopping = CLOSED;
      return;
    }
    node.attempt = undefined;
    // through stopping, as every stop goes: the state machine has no started -> stopped
    node.transition(STOPPING);
    node.stopMs = this.ctx.clock.now() - run.since;
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
    // a live member (its run mark is this id) whose stop has not failed
    const table = this.ctx.table;
    const id = this.#id;
    const i = node.index;
    for (let e = table.depStart[i]!; e < table.depStart[i + 1]!; e++) {
      const d = table.depIdx[e]!;
      if (d >= 0 && table.run[d] === id && table.state[d] === STARTED && --table.pending[d]! === 0) this.#ready.push(table.nodes[d]!);
    }
    this.#ready.drain(now);
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
      if (node.error) continue;
      // a running stop settles as aborted (see settled); one not begun fails with the reason
      if (node.code === STOPPING) node.attempt?.abort(reason);
      else if (node.code === STARTED) this.#markFailed(node, lifecycleError('ServiceStopFailure', { service: node.name, cause: reason, attempts: node.stopAttempts }));
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
