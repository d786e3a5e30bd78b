import { checkStartWarningMs, notReady, resolveFailed } from './container-checks';
import { overrideService, scanClasses } from './container-registrations';
import { whenStarted } from './lifecycle/when-started';
import type { AnyDefinition, Override } from './definition';
import { LifecycleEvents } from './events';
import type { GraphView } from './graph/view';
import type { HealthOptions, HealthReport } from './ops/health';
import { attachLogger, getGlobalLogger, type Logger } from './logger';
import { START_WARNING_MS } from './lifecycle/watchdog';
import { bindProviderLogger } from './provider';
import { STARTED } from './lifecycle/node';
import { toSpec } from './registration/spec';
import { Registry } from './registry';
import { onDemandOf, type LifecycleReport, type ServiceReport } from './ops/report';
import { runChannel, traceRun } from './ops/attempt-channels';
import { realClock, type Clock } from './lifecycle/retry';
import { Runs, type RunOptions } from './lifecycle/runs';
import type { FleetHost } from './fleet/host';
import { ScopeHost } from './scope/host';
import type { Scope } from './scope/scope';
import { healthPollOptions, type SupervisionOptions } from './supervision/options';
import type { RestartRunOptions } from './supervision/supervisor';
import { handleSignals, type SignalOptions } from './ops/signals';
import { adoptFleetSpec } from './fleet/service';
import type { Timeline } from './ops/timeline';
import { checkToken, describeToken, registerBuiltin, type Constructor, type InjectionToken } from './tokens';

export type { RunOptions } from './lifecycle/runs';

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
  /** This container's logger, as provider hooks get it (`false`: silent). */
  readonly #log: () => Logger | false;
  /** Scopes, and what singletons need of transients, tags and the container (lib/scope/). */
  readonly #scopes: ScopeHost;
  readonly #isTransient = (token: InjectionToken): boolean => this.#registry.specOf(token)?.scope === 'transient';
  /** Boots, shutdowns and restarts (lib/lifecycle/runs.ts): the run methods delegate to it. */
  readonly #runs: Runs;
  /** Locks of `exclusive` and `once` services (lib/fleet/): the runs' fleet, halted by stopAll. */
  readonly #fleet: FleetHost;
  /** A provider's `lost(error)`: marks the service lost when `client` is its started instance. */
  readonly #loseClient = (name: string, client: unknown, error: unknown): void => {
    const node = this.#registry.lookup(name);
    if (node) this.#runs.supervisor.lose(node, error, client);
  };

  constructor(options: ContainerOptions = {}) {
    const scopes = (this.#scopes = new ScopeHost(this.#registry, this));
    const health = healthPollOptions(options);
    const warnAfter = options.startWarningMs;
    checkStartWarningMs(warnAfter);
    const logger = options.logger;
    const log = (this.#log = logger === false ? () => false : logger ? () => logger : getGlobalLogger);
    this.#runs = new Runs({ events: this.events, clock: options.clock ?? realClock, registry: this.#registry, scopes, log, startWarningMs: warnAfter ?? START_WARNING_MS, health });
    this.#fleet = this.#runs.fleet;
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
    if (services.length > 1) this.#registry.table.reserve(services.length);
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
    scanClasses(this.#registry, this.#fleet, roots);
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
    overrideService(this.#registry, token, replacement);
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
    return channel === undefined ? this.#runs.startAll(options) : traceRun(channel, { container: this, operation: 'startAll' }, () => this.#runs.startAll(options));
  }

  /**
   * Starts one service and what it depends on (tests, partial boots).
   *
   * @returns the started instance.
   * @throws BandmasterError `ServiceUnknown`, `InvalidArgument` (not a token), or the service's start error; BootError when its
   * dependency graph is invalid (as rejections).
   */
  start<T = unknown>(token: InjectionToken<T>, options: RunOptions = {}): Promise<T> {
    return this.#runs.start(token, options);
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
    return channel === undefined ? this.#runs.stopAll(options) : traceRun(channel, { container: this, operation: 'stopAll' }, () => this.#runs.stopAll(options));
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
    return resolveFailed(this.#registry, token);
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
    return this.#scopes.open(this.#runs.stopCalled);
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
    return node ? whenStarted<T>(node, options) : Promise.reject(notReady(token));
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
  restart(token: InjectionToken, options: RestartRunOptions = {}): Promise<LifecycleReport> {
    return this.#runs.restart(token, options);
  }

  /** State, attempts, timings, last error and restarts of every service. */
  status(): ServiceReport[] {
    return this.#runs.status();
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
    return checkHealth(this.#registry.linked(), options, (name) => this.#runs.supervisor.restarts(name));
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
    return buildTimeline(this.#registry.linked(), onDemandOf(this.#registry.scoped), this.#runs.supervisor.log);
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
}

registerBuiltin(Container, 'container');
