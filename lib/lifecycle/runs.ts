// The container's runs: boots (startAll, start), shutdowns (stopAll) and on-demand restarts, one
// at a time where they would collide. A start waits for a running stop, then starts; a startAll
// (or start) while a boot runs joins it, a stopAll while a shutdown runs joins that one. The
// Container's run methods delegate here; it keeps their signatures and TSDoc.
import { checkRunOptions, singletonNode } from '../container-checks';
import { BandmasterError, BootError, ShutdownError } from '../errors';
import type { LifecycleEvents } from '../events';
import { FleetHost } from '../fleet/host';
import { fleetErrors } from '../fleet/validate';
import { closure, validate } from '../graph/edges';
import type { Logger } from '../logger';
import { lifecycleReport, onDemandOf, reportService, type LifecycleReport, type ServiceReport } from '../ops/report';
import type { Registry } from '../registry';
import type { ScopeHost } from '../scope/host';
import { scopeCheck } from '../scope/validate';
import type { HealthPollOptions } from '../supervision/health-poll';
import { Supervisor, type RestartRunOptions, type SupervisorHost } from '../supervision/supervisor';
import { checkToken, type InjectionToken } from '../tokens';
import { Boot } from './boot';
import type { ServiceNode } from './node';
import type { Clock } from './retry';
import { Shutdown } from './shutdown';

/** Options of `startAll`, `start` and `stopAll`. */
export interface RunOptions {
  /** Aborting it cancels the boot (or shutdown): see the lifecycle docs. */
  readonly signal?: AbortSignal;
  /** Time limit of the whole boot (or shutdown) in ms. */
  readonly timeout?: number;
}

/** What the runs need of their container. */
export interface RunsDeps {
  readonly events: LifecycleEvents;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly scopes: ScopeHost;
  /** The container's logger (`false`: silent), for the boot's warning about a start that never settles. */
  readonly log: () => Logger | false;
  readonly startWarningMs: number | false;
  /** The supervisor's health polls (`healthInterval`); undefined: none. */
  readonly health: HealthPollOptions | undefined;
}

/** The boots, shutdowns and restarts of one container, and the supervisor that restarts its services. */
export class Runs {
  /** Restarts, losses and health polls (lib/supervision/). */
  readonly supervisor: Supervisor;
  /** Locks of `exclusive` and `once` services (lib/fleet/). */
  readonly fleet: FleetHost;
  readonly #deps: RunsDeps;
  readonly #registry: Registry;
  #boot: Boot | undefined;
  #shutdown: Shutdown | undefined;
  /** Failures of the scopes the last stopAll disposed. */
  #scopeErrors: BandmasterError[] = [];
  #fleetHalted: Promise<void> | undefined;

  constructor(deps: RunsDeps) {
    this.#deps = deps;
    const registry = (this.#registry = deps.registry);
    const supervisor = (this.supervisor = new Supervisor(this.#supervisorHost(), deps.health));
    this.fleet = new FleetHost({
      events: deps.events,
      lookup: (token) => registry.lookup(token),
      linked: () => (registry.linked(), registry.table),
      takeover: (node) => supervisor.takeover(node),
      standDown: (nodes) => supervisor.standDown(nodes),
    });
  }

  /** Whether a stopAll ran (running or finished): what `createScope()` tells the scopes. */
  get stopCalled(): boolean {
    return this.#shutdown !== undefined;
  }

  /** `container.startAll()`. */
  async startAll(options: RunOptions): Promise<LifecycleReport> {
    checkRunOptions('startAll()', options);
    // inline, no await between the last look and what follows: a stop beginning in between would miss this start
    for (let stopping = this.#stopping(); stopping !== undefined; stopping = this.#stopping()) await stopping;
    const nodes = this.#registry.linked();
    const errors = this.#validate(nodes);
    if (errors.length > 0) throw new BootError(errors, this.#report('start', errors, 0));
    const boot = this.#bootFor(options);
    boot.add(nodes);
    await boot.done;
    this.#booted();
    return this.#bootOutcome(boot);
  }

  /** `container.start(token)`. */
  async start<T>(token: InjectionToken<T>, options: RunOptions): Promise<T> {
    checkRunOptions('start()', options);
    checkToken(token, 'start()');
    // inline, no await between the last look and what follows: a stop beginning in between would miss this start
    for (let stopping = this.#stopping(); stopping !== undefined; stopping = this.#stopping()) await stopping;
    const node = singletonNode(this.#registry, token);
    if (node.state === 'started') return node.instance as T;
    // links are rebuilt lazily: registrations since the last startAll are not in them yet
    this.#registry.linked();
    const nodes = closure(this.#registry.table, [node]);
    const errors = this.#validate(nodes);
    if (errors.length > 0) throw new BootError(errors, this.#report('start', errors, 0));
    const settled = new Promise<ServiceNode>((resolve) => node.watch(resolve));
    this.#bootFor(options).add(nodes);
    const result = await settled;
    this.#booted();
    if (result.state !== 'started') throw result.error ?? new BandmasterError('ServiceNotStarted', { service: node.name });
    return result.instance as T;
  }

  /** `container.stopAll()`. */
  async stopAll(options: RunOptions): Promise<LifecycleReport> {
    checkRunOptions('stopAll()', options);
    const { events, clock, scopes } = this.#deps;
    let shutdown = this.#shutdown;
    if (!shutdown || shutdown.finished) {
      scopes.live = false;
      this.supervisor.halt();
      // standby watchers end and their locks go back while the started services stop
      this.#fleetHalted = this.fleet.halt();
      if (this.#boot && !this.#boot.finished) this.#boot.abort(new DOMException('boot interrupted by stopAll()', 'AbortError'));
      const run = (shutdown = this.#shutdown = new Shutdown({ events, clock, table: this.#registry.table }));
      run.link(options.signal, options.timeout, 'stopAll');
      this.#scopeErrors = [];
      if (scopes.size === 0) run.begin(this.#registry.linked());
      else void scopes.closeAll(run.signal).then((errors) => ((this.#scopeErrors = errors), run.begin(this.#registry.linked())));
    } else {
      shutdown.link(options.signal, options.timeout, 'stopAll');
    }
    await shutdown.done;
    await this.#fleetHalted;
    const errors = this.#scopeErrors.length === 0 ? shutdown.errors : [...this.#scopeErrors, ...shutdown.errors];
    const report = this.#report('stop', errors, shutdown.elapsedMs);
    if (errors.length > 0) throw new ShutdownError(errors, report);
    return report;
  }

  /** `container.restart(token)`. */
  async restart(token: InjectionToken, options: RestartRunOptions): Promise<LifecycleReport> {
    checkRunOptions('restart()', options);
    checkToken(token, 'restart()');
    // inline, no await between the last look and what follows: a stop beginning in between would miss this start
    for (let stopping = this.#stopping(); stopping !== undefined; stopping = this.#stopping()) await stopping;
    const report = await this.supervisor.restart(singletonNode(this.#registry, token), options);
    this.#booted();
    return report;
  }

  /** `container.status()`: every service's report, with its restarts and whether it is lost. */
  status(): ServiceReport[] {
    const supervisor = this.supervisor;
    return this.#registry.linked().map((n) => {
      const report = reportService(n, n.state === 'stopped' || n.state === 'stopping' ? 'stop' : 'start');
      const restarts = supervisor.restarts(n.name);
      const lost = supervisor.isLost(n);
      return restarts === 0 && !lost ? report : { ...report, restarts, ...(lost ? { lost } : {}) };
    });
  }

  #supervisorHost(): SupervisorHost {
    const { events, clock } = this.#deps;
    return {
      events,
      clock,
      linked: () => (this.#registry.linked(), this.#registry.table),
      shutdown: () => new Shutdown({ events, clock, table: this.#registry.table }),
      boot: (signal, timeout) => this.#bootFor({ signal, timeout }),
      validate: (nodes) => this.#validate(nodes),
      closure: (roots) => closure(this.#registry.table, roots),
      shuttingDown: () => this.#shuttingDown(),
    };
  }

  /** Graph errors of `nodes` (linked): missing dependencies, cycles, scopes, then the fleet options. */
  #validate(nodes: readonly ServiceNode[]): BandmasterError[] {
    const table = this.#registry.table;
    const errors = validate(table, nodes, scopeCheck(this.#registry));
    if (!this.#registry.fleet) return errors;
    const fleet = fleetErrors(table, nodes);
    return fleet.length === 0 ? errors : [...errors, ...fleet];
  }

  #bootFor(options: RunOptions): Boot {
    let boot = this.#boot;
    if (!boot || boot.finished) {
      const { events, clock, log, startWarningMs } = this.#deps;
      boot = this.#boot = new Boot({ events, clock, table: this.#registry.table, log: () => log() || undefined, startWarningMs });
    }
    boot.link(options.signal, options.timeout, 'startAll');
    return boot;
  }

  /**
   * A boot (or a restart) ended: scopes may open, supervision runs. Not while a stopAll runs: the
   * boot it aborted ends during that shutdown, and must not turn them on again.
   */
  #booted(): void {
    if (this.#shuttingDown()) return;
    this.#deps.scopes.live = true;
    this.supervisor.booted();
  }

  /** Whether a stopAll's shutdown runs. */
  #shuttingDown(): boolean {
    return this.#shutdown !== undefined && !this.#shutdown.finished;
  }

  /** What a start waits for: a running shutdown, or the stop of a running restart; undefined when none runs. */
  #stopping(): Promise<unknown> | undefined {
    const shutdown = this.#shutdown;
    if (shutdown !== undefined && !shutdown.finished) return shutdown.done;
    return this.supervisor.stopping();
  }

  #bootOutcome(boot: Boot): LifecycleReport {
    const errors = boot.errors;
    const report = this.#report('start', errors, boot.elapsedMs);
    if (boot.requiredFailed) throw new BootError(errors, report);
    return report;
  }

  #report(phase: 'start' | 'stop', errors: BandmasterError[], durationMs: number): LifecycleReport {
    return lifecycleReport(this.#registry.table, phase, errors, durationMs, onDemandOf(this.#registry.scoped));
  }
}
