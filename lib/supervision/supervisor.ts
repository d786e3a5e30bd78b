import type { RestartOptions } from '../../decorators/metadata';
import { BandmasterError, BootError } from '../errors';
import type { LifecycleEvents } from '../events';
import type { Boot } from '../lifecycle/boot';
import { FAILED, STANDBY, STARTED, STARTING, STOPPED, WAITING, type NodeTable, type ServiceNode } from '../lifecycle/node';
import { lifecycleError } from '../lifecycle/outcome';
import { backoffDelay, normalizeBackoff, type Clock } from '../lifecycle/retry';
import type { Shutdown } from '../lifecycle/shutdown';
import { restartReport, type LifecycleReport } from '../ops/report';
import { HealthPoll, type HealthPollOptions } from './health-poll';
import { markFailed, requiredDependents } from './given-up';
import { withDependents } from '../graph/edges';
import { RestartLog, type Recording, type RestartRecord } from './restart-log';

/** What a supervisor needs of its container. */
export interface SupervisorHost {
  readonly events: LifecycleEvents;
  readonly clock: Clock;
  /** The container's services, with their edges linked. */
  linked(): NodeTable;
  /** A new shutdown on the container's services. */
  shutdown(): Shutdown;
  /** The container's boot (a running one is joined), linked to `signal` and `timeout`. */
  boot(signal: AbortSignal | undefined, timeout: number | undefined): Boot;
  /** Graph errors of `nodes` (a dependency closure), as `startAll` checks them. */
  validate(nodes: readonly ServiceNode[]): BandmasterError[];
  /** Every dependency of `roots`, transitively, roots included. */
  closure(roots: readonly ServiceNode[]): ServiceNode[];
  /** Whether a `stopAll` is running: no restart may start services beside it. */
  shuttingDown(): boolean;
}

/** Options of `container.restart()`. */
export interface RestartRunOptions {
  /** Aborting it cancels the restart. */
  readonly signal?: AbortSignal;
  /** Time limit of the whole restart (stop and start) in ms. */
  readonly timeout?: number;
}

/**
 * Restarts services and their dependents, on demand or when they are lost, one restart at a
 * time (a second loss while one runs waits its turn: states stay consistent); gives a lost
 * service up after more than `maxRestarts` supervised restarts within `withinMs`.
 */
export class Supervisor {
  readonly #host: SupervisorHost;
  /** Restarts and give-ups run one after the other. */
  #chain: Promise<unknown> = Promise.resolve();
  /** Restarts per service name, supervised and on demand. */
  readonly #restarts = new Map<string, number>();
  /** When each supervised restart of a service began, within its window. */
  readonly #history = new Map<ServiceNode, number[]>();
  /** Lost services, with the instance that was lost (a fresh one is not lost). */
  readonly #lost = new Map<ServiceNode, unknown>();
  /** The shutdown of the running restart, so that `halt()` can end it. */
  #running: Shutdown | undefined;
  #halted = false;
  /** How many times `stopAll` halted supervision: restarts queued before one of them do not run after it. */
  #stops = 0;
  /** Aborted by `halt()`: ends the backoff of pending supervised restarts. */
  #halt = new AbortController();
  /** The health poll, with `healthInterval`. */
  readonly #poll: HealthPoll | undefined;
  /** The restarts since the last boot, for the timeline. */
  readonly log = new RestartLog();

  constructor(host: SupervisorHost, health: HealthPollOptions | undefined) {
    this.#host = host;
    this.#poll = health && new HealthPoll(health, () => host.linked(), (node, error, instance) => this.lose(node, error, instance));
  }

  /** How many times the service was restarted. */
  restarts(name: string): number {
    return this.#restarts.get(name) ?? 0;
  }

  /** Whether the service's current instance is lost (and not restarted yet). */
  isLost(node: ServiceNode): boolean {
    return node.code === STARTED && this.#lost.has(node) && this.#lost.get(node) === node.instance;
  }

  /** `stopAll` began: the running restart ends, pending supervised restarts are dropped. */
  halt(): void {
    this.#halted = true;
    this.#stops++;
    this.log.halt();
    this.#halt.abort(new DOMException('supervision halted by stopAll()', 'AbortError'));
    this.#poll?.stop();
    this.#running?.abort(new DOMException('restart interrupted by stopAll()', 'AbortError'));
  }

  /** A boot ended: supervised restarts may run again, and health polls (with `healthInterval`). */
  booted(): void {
    // a boot that a stopAll aborted ends while that shutdown runs: supervision stays halted
    if (this.#host.shuttingDown()) return;
    if (this.#halted) this.#halt = new AbortController();
    this.#halted = false;
    this.log.booted();
    this.#poll?.arm();
  }

  /**
   * While a restart stops services, what resolves once it did; else undefined. `start`,
   * `startAll` and `restart` wait for it, as for a `stopAll`: a dependent started while its
   * dependency is being stopped would run on a closed client.
   */
  stopping(): Promise<unknown> | undefined {
    return this.#running !== undefined && !this.#running.finished ? this.#running.done : undefined;
  }

  /** Restarts `node` and its started dependents on demand; see {@link Supervisor}. */
  restart(node: ServiceNode, options: RestartRunOptions): Promise<LifecycleReport> {
    const stops = this.#stops;
    // a stopAll since it was queued ended it: running it now would start services beside that shutdown
    return this.#queue(() => (this.#stops === stops && !this.#host.shuttingDown() ? this.#restartNow(node, options, 'on demand', undefined) : this.#interrupted(node)));
  }

  /**
   * An `exclusive` service on standby got its lock: it and its standby dependents start (their
   * started optional dependents restart with it), in the restart queue, as a restart does; not
   * counted as a restart and without restart events.
   */
  takeover(node: ServiceNode): Promise<void> {
    return this.#queue(async () => {
      if (this.#halted || node.code !== STANDBY) return;
      await this.#restartNow(node, {}, 'on demand', undefined, true).catch(() => undefined);
    });
  }

  /**
   * An `exclusive` service lost its lock: `nodes` (it, then what follows it into standby) stop,
   * dependents first, and are left standby; in the restart queue.
   */
  standDown(nodes: readonly ServiceNode[]): Promise<void> {
    return this.#queue(async () => {
      if (this.#halted) return;
      const shutdown = (this.#running = this.#host.shutdown());
      shutdown.begin(nodes);
      await shutdown.done;
      this.#running = undefined;
      for (const n of nodes) if (n.code === STOPPED) n.transition(STANDBY);
    });
  }

  /**
   * Marks the started `node` lost (once per instance): reported by a `lost` event, and restarted
   * when it has a `restart` policy (or given up past its intensity).
   */
  lose(node: ServiceNode, error: unknown, instance: unknown = node.instance): void {
    if (node.code !== STARTED || node.instance !== instance || this.isLost(node)) return;
    this.#lost.set(node, instance);
    const events = this.#host.events;
    if (events.active) events.emit({ type: 'lost', service: node.name, required: node.spec.required, attempt: 0, error });
    const policy = node.spec.restart;
    if (!policy || this.#halted) return;
    const now = this.#host.clock.now();
    const history = (this.#history.get(node) ?? []).filter((t) => t > now - policy.withinMs);
    this.#history.set(node, history);
    if (history.length >= policy.maxRestarts) {
      const stops = this.#stops;
      void this.#queue(async () => (this.#stops === stops ? this.#giveUp(node, error, policy) : undefined));
      return;
    }
    history.push(now);
    const delay = backoffDelay(normalizeBackoff(policy.backoff), history.length, () => this.#host.clock.random());
    void this.#queue(async () => {
      if (delay > 0) await this.#host.clock.sleep(delay, this.#halt.signal).catch(() => undefined);
      // stopped, restarted or halted meanwhile: nothing to do
      if (this.#halted || !this.isLost(node)) return;
      await this.#restartNow(node, {}, 'lost', error).catch(() => undefined);
    });
  }

  #queue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Stops `node` and its dependents, then starts them again; a `takeover` (see {@link Supervisor.takeover}) starts the standby ones too, quietly. */
  async #restartNow(node: ServiceNode, options: RestartRunOptions, trigger: RestartRecord['trigger'], reason: unknown, takeover = false): Promise<LifecycleReport> {
    const host = this.#host;
    const t0 = host.clock.now();
    const set = withDependents(host.linked(), node);
    if (takeover) {
      for (const n of set) if (n.code === STANDBY) n.transition(STOPPED);
    } else {
      this.#emit(node, { type: 'restarting', reason });
      this.#restarts.set(node.name, this.restarts(node.name) + 1);
    }
    // a takeover is not a restart: not in the restart log
    const recording = takeover ? undefined : this.log.begin(host.events, host.clock, set, trigger, reason);
    try {
      return await this.#restartSet(set, options, recording, t0);
    } finally {
      // no listener outlives its restart, whatever happened in it
      recording?.close();
    }
  }

  async #restartSet(set: ServiceNode[], options: RestartRunOptions, recording: Recording | undefined, t0: number): Promise<LifecycleReport> {
    const host = this.#host;
    const node = set[0]!;
    const table = host.linked();
    // members a boot is starting stop once they settled: a shutdown leaves a starting service
    // alone, and it would run after its dependency stopped; no await between the last look and begin()
    const stops = this.#stops;
    const failed = (errors: BandmasterError[], started: boolean): never => this.#failed(set, errors, t0, recording, started);
    // a stopAll that began since (while this waited, or while the members stopped) ends the
    // restart there: it stops and starts nothing beside that shutdown
    const ended = (): boolean => this.#stops !== stops || host.shuttingDown();
    for (let busy = starting(set); busy !== undefined; busy = starting(set)) await busy;
    if (ended()) return failed([endedByStopAll(node)], false);
    const shutdown = (this.#running = host.shutdown());
    shutdown.link(options.signal, options.timeout, 'restart');
    shutdown.begin(set);
    await shutdown.done;
    this.#running = undefined;
    for (const n of set) this.#lost.delete(n);
    if (shutdown.errors.length > 0) return failed(shutdown.errors, false);
    if (ended()) return failed([endedByStopAll(node)], false);
    const nodes = host.closure(set);
    const invalid = host.validate(nodes);
    if (invalid.length > 0) return failed(invalid, false);
    const left = options.timeout === undefined ? undefined : Math.max(0, options.timeout - (host.clock.now() - t0));
    const boot = host.boot(options.signal, left);
    boot.add(nodes);
    await boot.done;
    const errors = nodes.filter((n) => n.code !== STARTED && n.error).map((n) => n.error!);
    if (node.code !== STARTED || nodes.some((n) => n.code !== STARTED && n.spec.required)) return failed(errors, true);
    if (recording !== undefined) this.#emit(node, { type: 'restarted', durationMs: host.clock.now() - t0 });
    recording?.end('restarted', true);
    if (!this.#halted) this.#poll?.arm();
    return restartReport(table, errors, host.clock.now() - t0, names(set));
  }

  /** The rejection of a restart that a `stopAll` ended before it began. */
  #interrupted(node: ServiceNode): Promise<never> {
    const error = endedByStopAll(node);
    return Promise.reject(new BootError([error], restartReport(this.#host.linked(), [error], 0, [node.name])));
  }

  #failed(set: readonly ServiceNode[], errors: BandmasterError[], t0: number, recording: Recording | undefined, started: boolean): never {
    const node = set[0]!;
    const error = errors.find((e) => e.service === node.name) ?? errors[0] ?? new BandmasterError('ServiceNotStarted', { service: node.name, detail: 'the restart was interrupted' });
    // a takeover (no recording) fails quietly
    if (recording !== undefined) this.#emit(node, { type: 'restart-failed', error });
    recording?.end('failed', started);
    throw new BootError(errors.length > 0 ? errors : [error], restartReport(this.#host.linked(), errors, this.#host.clock.now() - t0, names(set)));
  }

  /**
   * Past its intensity: stops it and its dependents and leaves it failed until the next
   * `startAll`, with the dependents that need it (`DependencyUnavailable`); the ones that only
   * depend on it through `@Optional()` edges start again without it, as in a boot.
   */
  async #giveUp(node: ServiceNode, cause: unknown, policy: RestartOptions): Promise<void> {
    const host = this.#host;
    const table = host.linked();
    const set = withDependents(table, node);
    const recording = this.log.begin(host.events, host.clock, set, 'lost', cause);
    try {
      await this.#giveUpSet(set, cause, policy, recording);
    } finally {
      recording.close();
    }
  }

  async #giveUpSet(set: ServiceNode[], cause: unknown, policy: RestartOptions, recording: Recording): Promise<void> {
    const host = this.#host;
    const node = set[0]!;
    const table = host.linked();
    // members a boot is starting stop once they settled: a shutdown leaves a starting service
    // alone, and it would run after its dependency stopped; no await between the last look and begin()
    for (let busy = starting(set); busy !== undefined; busy = starting(set)) await busy;
    const shutdown = (this.#running = host.shutdown());
    shutdown.begin(set);
    await shutdown.done;
    this.#running = undefined;
    for (const n of set) this.#lost.delete(n);
    const detail = `given up: more than ${policy.maxRestarts} restarts within ${policy.withinMs} ms`;
    const error = lifecycleError('ServiceStartFailure', { service: node.name, cause, attempts: 0, detail });
    markFailed(node, error);
    this.#emit(node, { type: 'restart-failed', error });
    const needing = requiredDependents(table, set);
    for (const [dependent, dependency] of needing) {
      const dependentError = lifecycleError('DependencyUnavailable', { service: dependent.name, dependency: dependency.name, cause: error });
      if (markFailed(dependent, dependentError) && host.events.active) {
        host.events.emit({ type: 'start-failed', service: dependent.name, required: dependent.spec.required, attempt: 0, error: dependentError });
      }
    }
    const others = set.filter((n) => n !== node && !needing.has(n) && n.code === STOPPED);
    if (others.length > 0 && !this.#halted) {
      const boot = host.boot(undefined, undefined);
      boot.add(host.closure(others).filter((n) => n.code !== FAILED));
      await boot.done;
    }
    recording.end('given up', others.length > 0);
  }

  #emit(node: ServiceNode, event: { type: 'restarting'; reason: unknown } | { type: 'restarted'; durationMs: number } | { type: 'restart-failed'; error: BandmasterError }): void {
    const events = this.#host.events;
    if (events.active) events.emit({ ...event, service: node.name, required: node.spec.required, attempt: 0 });
  }
}

/** Why a restart that a `stopAll` ended did not bring `node` back. */
function endedByStopAll(node: ServiceNode): BandmasterError {
  return new BandmasterError('ServiceNotStarted', { service: node.name, detail: 'the restart was ended by stopAll(); call restart() again once the container runs' });
}

/** A promise of the settle of a member of `set` that is waiting or starting; undefined when none is. */
function starting(set: readonly ServiceNode[]): Promise<void> | undefined {
  const busy = set.find((n) => n.code === WAITING || n.code === STARTING);
  return busy === undefined ? undefined : new Promise<void>((resolve) => busy.watch(() => resolve()));
}

function names(nodes: readonly ServiceNode[]): string[] {
  return nodes.map((n) => n.name);
}
