import { hasServiceMetadata, readClassMetadata } from '../decorators/metadata';
import { Boot } from './lifecycle/boot';
import { checkRunOptions, notSingleton, unknownService } from './container-checks';
import { whenStarted } from './lifecycle/when-started';
import type { AnyDefinition, Override } from './definition';
import { BandmasterError, BootError, ShutdownError, describeValue } from './errors';
import { LifecycleEvents } from './events';
import { closure, validate } from './graph/edges';
import type { GraphView } from './graph/view';
import type { HealthOptions, HealthReport } from './ops/health';
import { attachLogger, getGlobalLogger, type Logger } from './logger';
import { START_WARNING_MS } from './lifecycle/watchdog';
import { bindProviderLogger } from './provider';
import { STARTED, type ServiceNode } from './lifecycle/node';
import { toSpec } from './registration';
import { Registry } from './registry';
import { lifecycleReport, onDemandOf, reportService, type LifecycleReport, type ServiceReport } from './ops/report';
import { runChannel, traceRun } from './ops/attempt-channels';
import { realClock, type Clock } from './lifecycle/retry';
import { ScopeHost } from './scope/host';
import type { Scope } from './scope/scope';
import { scopeCheck } from './scope/validate';
import { Shutdown } from './lifecycle/shutdown';
import { healthPollOptions, type SupervisionOptions } from './supervision/options';
import { Supervisor, type RestartRunOptions, type SupervisorHost } from './supervision/supervisor';
import { handleSignals, type SignalOptions } from './ops/signals';
import { FleetHost } from './fleet/host';
import { adoptFleetSpec } from './fleet/service';
import { fleetErrors } from './fleet/validate';
import type { Timeline } from './ops/timeline';
import { checkToken, describeToken, isToken, registerBuiltin, tokenKey, type Constructor, type InjectionToken } from './tokens';

/** Options of {@link Container}. */
export interface ContainerOptions extends SupervisionOptions {
  /** Where lifecycle logs go: a logger, or `false` for none. Default: the global logger (winston). */
  readonly logger?: Logger | false;
  /** Time source for retries and reports; tests inject a fake one. */
  readonly clock?: Clock;
  /**
   * A start hook with no `startTimeout` that has not settled after this many ms is named in one
   * warning on the container's logger (it may wait forever); `false`: never. Default 10000.
   */
  readonly startWarningMs?: number | false;
}

/** Options of `startAll`, `start` and `stopAll`. */
export interface RunOptions {
  /** Aborting it cancels the boot (or shutdown): see the lifecycle docs. */
  readonly signal?: AbortSignal;
  /** Time limit of the whole boot (or shutdown) in ms. */
  readonly timeout?: number;
}

/**
 * The dependency-injection container: register services, boot the graph as parallel as it
 * allows, resolve started instances, shut down in reverse.
 *
 * @example
 * ```ts
 * const container = new Container();
 * container.register(Sessions, redis({ name: 'rd-1', env: 'RD_EXAMPLE' }));
 * const report = await container.startAll({ timeout: 5_000 });
 * const sessions = container.resolve(Sessions);
 * await container.stopAll({ timeout: 5_000 });
 * ```
 */
export class Container {
  /** Lifecycle events of this container. */
  readonly events = new LifecycleEvents();
  readonly #registry = new Registry();
  readonly #clock: Clock;
  #boot: Boot | undefined;
  #shutdown: Shutdown | undefined;
  /** This container's logger, as provider hooks get it (`false`: silent). */
  readonly #log: () => Logger | false;
  readonly #startWarningMs: number | false;
  /** Scopes, and what singletons need of transients, tags and the container (lib/scope/). */
  readonly #scopes: ScopeHost;
  readonly #isTransient = (token: InjectionToken): boolean => this.#registry.specOf(token)?.scope === 'transient';
  /** Failures of the scopes the last stopAll disposed. */
  #scopeErrors: BandmasterError[] = [];
  /** Restarts, losses and health polls (lib/supervision/). */
  readonly #supervisor: Supervisor;
  /** Locks of `exclusive` and `once` services (lib/fleet/). */
  readonly #fleet: FleetHost;
  #fleetHalted: Promise<void> | undefined;
  /** A provider's `lost(error)`: marks the service lost when `client` is its started instance. */
  readonly #loseClient = (name: string, client: unknown, error: unknown): void => {
    const node = this.#registry.lookup(name);
    if (node) this.#supervisor.lose(node, error, client);
  };

  constructor(options: ContainerOptions = {}) {
    this.#scopes = new ScopeHost(this.#registry, this);
    this.#clock = options.clock ?? realClock;
    this.#supervisor = new Supervisor(this.#supervisorHost(), healthPollOptions(options));
    const supervisor = this.#supervisor;
    this.#fleet = new FleetHost({
      events: this.events,
      lookup: (token) => this.#registry.lookup(token),
      linked: () => (this.#registry.linked(), this.#registry.table),
      takeover: (node) => supervisor.takeover(node),
      standDown: (nodes) => supervisor.standDown(nodes),
    });
    const warnAfter = options.startWarningMs;
    if (warnAfter !== undefined && warnAfter !== false && !(typeof warnAfter === 'number' && warnAfter > 0)) {
      throw new BandmasterError('InvalidArgument', { service: 'new Container()', detail: `startWarningMs must be a number of ms > 0, or false for no warning, got ${describeValue(warnAfter)}` });
    }
    this.#startWarningMs = warnAfter ?? START_WARNING_MS;
    const logger = options.logger;
    this.#log = logger === false ? () => false : logger ? () => logger : getGlobalLogger;
    if (logger !== false) {
      // resolve the global logger now, so loading winston is not billed to the first service's start
      if (!logger) getGlobalLogger();
      attachLogger(this.events, logger ? () => logger : getGlobalLogger);
    }
  }

  /**
   * Registers `@Service` classes and plain definitions. Dependencies may name services not
   * registered yet; the graph is checked by `startAll`.
   *
   * @throws BandmasterError `ServiceAlreadyExists`, `ServiceWithoutDecorator`, `ServiceDependsOnItself`,
   * `ServiceDuplicateDependency`, `MetadataMissing`, `InvalidDefinition`.
   */
  register(...services: (Constructor | AnyDefinition)[]): this {
    // indexed: a for-of that is not optimised yet allocates a result per step
    for (let i = 0; i < services.length; i++) {
      const input = services[i]!;
      // only a class or a definition can carry provider hooks; toSpec reports anything else (undefined, null, 42)
      const bindable = typeof input === 'function' || (typeof input === 'object' && input !== null);
      this.#registry.add(adoptFleetSpec(toSpec(bindable ? bindProviderLogger(input, this.#log, this.#loseClient) : input, this.#isTransient), this.#fleet));
    }
    return this;
  }

  /**
   * Registers the given `@Service` classes and, transitively, every `@Service` class they depend
   * on (constructor types, `@Inject` and `@DependsOn` classes) that is not registered yet.
   *
   * @throws BandmasterError like {@link Container.register}.
   */
  scan(...roots: Constructor[]): this {
    const stack = [...roots];
    const seen = new Set<Constructor>();
    while (stack.length > 0) {
      const cls = stack.pop()!;
      if (seen.has(cls)) continue;
      seen.add(cls);
      const spec = this.#registry.specOf(cls) ?? this.#registry.add(adoptFleetSpec(toSpec(cls), this.#fleet)).spec;
      for (const token of spec.depTokens) {
        if (typeof token === 'function' && hasServiceMetadata(token) && !this.#registry.specOf(token)) stack.push(token as Constructor);
      }
      for (const dep of readClassMetadata(cls).dependsOn) if (typeof dep === 'function' && hasServiceMetadata(dep)) stack.push(dep as Constructor);
    }
    return this;
  }

  /**
   * Replaces what a token provides (registering it if needed), before it starts: mocks in tests.
   * The replacement keeps the service's name and keys; `useValue` and `useFactory` objects are
   * not probed for hooks, and need no decorators.
   *
   * @throws BandmasterError `InvalidDefinition` when the service is running; `InvalidArgument` when `token` is not a token.
   * @example
   * ```ts
   * container.override('rd-1', { useValue: fakeRedis });
   * ```
   */
  override<T>(token: InjectionToken<T>, replacement: Override<T>): this {
    checkToken(token, 'override()');
    const node = this.#registry.lookup(token);
    if (node && node.state !== 'idle' && node.state !== 'stopped' && node.state !== 'failed') {
      throw new BandmasterError('InvalidDefinition', { service: node.name, detail: `cannot override a service that is ${node.state}; call stopAll() first` });
    }
    const code = this.#registry.indexOf(token);
    const entry = code <= -2 ? this.#registry.specAt(code) : undefined;
    const name = node ? node.name : entry ? entry.name : typeof token === 'function' ? token.name : isToken(token) ? token.name : token;
    const spec = toSpec({ required: (node?.spec ?? entry)?.required, scope: entry?.scope, ...replacement, name } as AnyDefinition);
    if (node) this.#registry.replace(node, spec);
    else if (entry) this.#registry.replaceScoped(code, spec);
    else this.#registry.add(typeof token === 'function' ? { ...spec, aliases: [...spec.aliases, tokenKey(token)] } : spec);
    return this;
  }

  /**
   * Validates the whole graph, then starts every service as soon as its own dependencies are
   * started. A call while a boot runs joins it (its signal and timeout cancel that boot too);
   * started services stay as they are, failed ones are tried again.
   *
   * @returns the boot report.
   * @throws BootError when validation failed or a required service failed to start (as a rejection).
   */
  startAll(options: RunOptions = {}): Promise<LifecycleReport> {
    const channel = runChannel();
    return channel === undefined ? this.#startAll(options) : traceRun(channel, { container: this, operation: 'startAll' }, () => this.#startAll(options));
  }

  async #startAll(options: RunOptions): Promise<LifecycleReport> {
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

  /**
   * Starts one service and what it depends on (tests, partial boots).
   *
   * @returns the started instance.
   * @throws BandmasterError `ServiceUnknown`, `InvalidArgument` (not a token), or the service's start error; BootError when its
   * dependency graph is invalid (as rejections).
   */
  async start<T = unknown>(token: InjectionToken<T>, options: RunOptions = {}): Promise<T> {
    checkRunOptions('start()', options);
    checkToken(token, 'start()');
    // inline, no await between the last look and what follows: a stop beginning in between would miss this start
    for (let stopping = this.#stopping(); stopping !== undefined; stopping = this.#stopping()) await stopping;
    const code = this.#registry.indexOf(token);
    if (code <= -2) throw notSingleton(this.#registry.specAt(code).name, this.#registry.specAt(code).scope);
    const node = this.#require(token);
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

  /**
   * Stops every started service after the services that depend on it, in parallel otherwise.
   * A running boot is aborted first; a call while a shutdown runs joins it.
   *
   * Open scopes are disposed first (newest first), then the singletons stop.
   *
   * @returns the shutdown report.
   * @throws ShutdownError when a service failed to stop, or an instance of a scope did (as a rejection); it stays started.
   */
  stopAll(options: RunOptions = {}): Promise<LifecycleReport> {
    const channel = runChannel();
    return channel === undefined ? this.#stopAll(options) : traceRun(channel, { container: this, operation: 'stopAll' }, () => this.#stopAll(options));
  }

  async #stopAll(options: RunOptions): Promise<LifecycleReport> {
    checkRunOptions('stopAll()', options);
    let shutdown = this.#shutdown;
    if (!shutdown || shutdown.finished) {
      this.#scopes.live = false;
      this.#supervisor.halt();
      // standby watchers end and their locks go back while the started services stop
      this.#fleetHalted = this.#fleet.halt();
      if (this.#boot && !this.#boot.finished) this.#boot.abort(new DOMException('boot interrupted by stopAll()', 'AbortError'));
      const run = (shutdown = this.#shutdown = new Shutdown({ events: this.events, clock: this.#clock, table: this.#registry.table }));
      run.link(options.signal, options.timeout, 'stopAll');
      this.#scopeErrors = [];
      if (this.#scopes.size === 0) run.begin(this.#registry.linked());
      else void this.#scopes.closeAll(run.signal).then((errors) => ((this.#scopeErrors = errors), run.begin(this.#registry.linked())));
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

  /**
   * The started instance of a service.
   *
   * @throws BandmasterError `ServiceUnknown` (never registered), `ServiceNotStarted`, or
   * `InvalidArgument` when `token` is not a token (`undefined`: a class lost to a circular import).
   */
  resolve<T = unknown>(token: InjectionToken<T>): T {
    // the hot path reads the table's columns, not the node: a Map lookup and two array reads
    const table = this.#registry.table;
    const i = this.#registry.indexOf(token);
    if (i >= 0 && table.state[i] === STARTED) return table.instances[i] as T;
    // not started, not registered (ServiceUnknown) or not a token (InvalidArgument)
    checkToken(token, 'resolve()');
    if (i <= -2) throw notSingleton(this.#registry.specAt(i).name, this.#registry.specAt(i).scope);
    const node = this.#require(token);
    throw new BandmasterError('ServiceNotStarted', { service: node.name, detail: `it is ${node.state}; await container.startAll(), start(token) or ready(token) first` });
  }

  /**
   * The started singletons tagged `tag` (`@Service({ tags: [tag] })`), in registration order;
   * optional ones that are not started are left out, `[]` for a tag no service has. Transient and
   * scoped members are built by a scope: `scope.resolveAll(tag)`.
   *
   * @throws BandmasterError `ServiceNotStarted` for a required member that is not started; `InvalidArgument` when `tag` is not a token.
   */
  resolveAll<T = unknown>(tag: InjectionToken<T>): T[] {
    checkToken(tag, 'resolveAll()', 'tag');
    this.#registry.linked();
    return this.#scopes.startedOfTag(tag) as T[];
  }

  /**
   * A new {@link Scope}: a unit of work (a request, a job) with its own scoped instances, which
   * see the started singletons. Dispose it (`await scope.dispose()`, or `await using`); `stopAll`
   * disposes the ones still open first.
   *
   * @throws BandmasterError `ServiceNotStarted` before the container has booted (`startAll`), or once `stopAll` began.
   * @example
   * ```ts
   * await using scope = container.createScope();
   * scope.provide(REQUEST, req);
   * const handler = await scope.resolve(RequestHandler);
   * ```
   */
  createScope(): Scope {
    return this.#scopes.open(this.#shutdown !== undefined);
  }

  /** `await using container = new Container()`: {@link Container.stopAll}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stopAll();
  }

  /**
   * The instance of a service whether started or not; undefined when there is none.
   *
   * @throws BandmasterError `InvalidArgument` when `token` is not a token (`undefined`, `null`, a plain object).
   */
  get<T = unknown>(token: InjectionToken<T>): T | undefined {
    const node = this.#registry.lookup(token);
    if (node === undefined) checkToken(token, 'get()');
    return node?.instance as T | undefined;
  }

  /**
   * Resolves to the started instance once the service is started, waiting across failed boots
   * and restarts.
   *
   * @throws BandmasterError `ServiceUnknown` or `InvalidArgument` (not a token), as rejections,
   * never thrown; the signal's reason when it aborts.
   */
  ready<T = unknown>(token: InjectionToken<T>, options: { readonly signal?: AbortSignal } = {}): Promise<T> {
    const node = this.#registry.lookup(token);
    if (!node) {
      try {
        checkToken(token, 'ready()');
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.reject(unknownService(token));
    }
    return whenStarted<T>(node, options);
  }


  /**
   * Restarts a service on demand (credentials rotated...): its started dependents stop (dependents
   * first), then the service; it starts again with its `retries`/`backoff`, then its dependents,
   * all with fresh instances. A service not started is started, with its dependencies. Does not
   * count toward `maxRestarts`; runs after a restart already running.
   *
   * @returns the report of the restart's start.
   * @throws BootError when the service cannot come back (as a rejection); BandmasterError `ServiceUnknown`, `InvalidArgument`.
   * @example
   * ```ts
   * await container.restart('db', { timeout: 10_000 });
   * ```
   */
  async restart(token: InjectionToken, options: RestartRunOptions = {}): Promise<LifecycleReport> {
    checkRunOptions('restart()', options);
    checkToken(token, 'restart()');
    // inline, no await between the last look and what follows: a stop beginning in between would miss this start
    for (let stopping = this.#stopping(); stopping !== undefined; stopping = this.#stopping()) await stopping;
    const code = this.#registry.indexOf(token);
    if (code <= -2) throw notSingleton(this.#registry.specAt(code).name, this.#registry.specAt(code).scope);
    const report = await this.#supervisor.restart(this.#require(token), options);
    this.#booted();
    return report;
  }

  /** State, attempts, timings, last error and restarts of every service. */
  status(): ServiceReport[] {
    const supervisor = this.#supervisor;
    return this.#registry.linked().map((n) => {
      const report = reportService(n, n.state === 'stopped' || n.state === 'stopping' ? 'stop' : 'start');
      const restarts = supervisor.restarts(n.name);
      const lost = supervisor.isLost(n);
      return restarts === 0 && !lost ? report : { ...report, restarts, ...(lost ? { lost } : {}) };
    });
  }

  /** The dependency graph, with DOT and Mermaid renderings. */
  graph(): GraphView {
    // the graph view, health checks and timeline load on first use: a cold start compiles none of them
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { graphView } = require('./graph/view') as typeof import('./graph/view');
    this.#registry.linked();
    return graphView(this.#registry, describeToken);
  }

  /** Runs the health check of every started service; `healthy` when every required one passes; entries show restarts. */
  health(options: HealthOptions = {}): Promise<HealthReport> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkHealth } = require('./ops/health') as typeof import('./ops/health');
    return checkHealth(this.#registry.linked(), options, (name) => this.#supervisor.restarts(name));
  }

  /**
   * The boot as a Gantt chart: per service the wait for its dependencies, the start with its
   * attempts, when it became ready, and the critical path; as text (`toText()`) or SVG (`toSvg()`).
   *
   * @example
   * ```ts
   * await container.startAll();
   * console.log(container.timeline().toText());
   * ```
   */
  timeline(): Timeline {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildTimeline } = require('./ops/timeline') as typeof import('./ops/timeline');
    return buildTimeline(this.#registry.linked(), onDemandOf(this.#registry.scoped), this.#supervisor.log);
  }

  /**
   * Stops the container on SIGINT/SIGTERM: readiness off at once, a wait of `drainDelay` ms (a
   * second signal ends it), then the stop in reverse order within `timeout`, then exits 0 on a
   * clean stop, 1 otherwise; a signal during the stop exits at once.
   *
   * @returns a function that removes the handlers.
   * @throws BandmasterError `InvalidArgument` when `timeout` is not a positive number of ms,
   * `drainDelay` not a number of ms >= 0, or `signals` not a list of signal names.
   * @example
   * ```ts
   * container.handleSignals({ timeout: 20_000, drainDelay: 5_000 });
   * ```
   */
  handleSignals(options: SignalOptions = {}): () => void {
    return handleSignals(this, options);
  }

  #supervisorHost(): SupervisorHost {
    return {
      events: this.events,
      clock: this.#clock,
      linked: () => (this.#registry.linked(), this.#registry.table),
      shutdown: () => new Shutdown({ events: this.events, clock: this.#clock, table: this.#registry.table }),
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
    const fleet = fleetErrors(table, nodes);
    return fleet.length === 0 ? errors : [...errors, ...fleet];
  }

  #bootFor(options: RunOptions): Boot {
    let boot = this.#boot;
    if (!boot || boot.finished) boot = this.#boot = new Boot({ events: this.events, clock: this.#clock, table: this.#registry.table, log: () => this.#log() || undefined, startWarningMs: this.#startWarningMs });
    boot.link(options.signal, options.timeout, 'startAll');
    return boot;
  }

  /**
   * A boot (or a restart) ended: scopes may open, supervision runs. Not while a stopAll runs: the
   * boot it aborted ends during that shutdown, and must not turn them on again.
   */
  #booted(): void {
    if (this.#shuttingDown()) return;
    this.#scopes.live = true;
    this.#supervisor.booted();
  }

  /** Whether a stopAll's shutdown runs. */
  #shuttingDown(): boolean {
    return this.#shutdown !== undefined && !this.#shutdown.finished;
  }

  /** What a start waits for: a running shutdown, or the stop of a running restart; undefined when none runs. */
  #stopping(): Promise<unknown> | undefined {
    const shutdown = this.#shutdown;
    if (shutdown !== undefined && !shutdown.finished) return shutdown.done;
    return this.#supervisor.stopping();
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

  #require(token: InjectionToken): ServiceNode {
    const node = this.#registry.lookup(token);
    if (!node) throw unknownService(token);
    return node;
  }
}

registerBuiltin(Container, 'container');
