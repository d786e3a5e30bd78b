// bandmaster/nest: started bandmaster services as NestJS providers, the container booted during
// Nest's init and stopped on application shutdown, and a request scope for every HTTP request.
// A dynamic module is plain data; the one piece of NestJS used at run time (DiscoveryModule, to
// name a Nest provider a bandmaster service asks for) is loaded when forRoot() runs, through
// `require(esm)` for the ESM-only NestJS 12, the instance the application loaded itself.
import type { DiscoveryService } from '@nestjs/core' with { 'resolution-mode': 'import' };
import type { DynamicModule, FactoryProvider, MiddlewareConsumer, ModuleMetadata, Provider, ValueProvider } from '@nestjs/common' with { 'resolution-mode': 'import' };
import { BandmasterError, Container, scopeMiddleware } from '../index';
import type { InjectionToken, ScopeMiddleware } from '../index';
import { explainNestDependencies, nestCore } from './nest-providers';

/** Options of {@link BandmasterModule.forRoot}. */
export interface BandmasterModuleOptions {
  /** The container; booted during Nest's init unless every service is started already. */
  readonly container: Container;
  /**
   * The bandmaster services Nest code may inject: a class is provided by class (inject it by
   * its type), a string or symbol by itself (`@Inject('rd-1')`), a typed token by its name.
   */
  readonly services: readonly InjectionToken[];
  /** Time limit of the boot in ms (passed to `startAll`). */
  readonly startTimeout?: number;
  /** Time limit of the shutdown in ms (passed to `stopAll`). */
  readonly stopTimeout?: number;
}

/** Options of {@link BandmasterModule.forRootAsync}: the container comes from a Nest factory. */
export interface BandmasterModuleAsyncOptions {
  /** Modules whose providers `useFactory` injects. */
  readonly imports?: ModuleMetadata['imports'];
  /** Nest tokens passed to `useFactory`, in order. */
  readonly inject?: FactoryProvider['inject'];
  /** Builds the container (and its timeouts); may be async. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Nest passes the injected providers untyped, as its own factories do
  readonly useFactory: (...args: any[]) => Omit<BandmasterModuleOptions, 'services'> | Promise<Omit<BandmasterModuleOptions, 'services'>>;
  /** The services Nest code may inject: Nest needs its provider tokens before any factory runs. */
  readonly services: readonly InjectionToken[];
}

/** The provider holding the started container's lifecycle; the service providers wait for it. */
const LIFECYCLE = Symbol('bandmaster:lifecycle');
const OPTIONS = Symbol('bandmaster:options');

type Lifecycle = { onApplicationShutdown(): Promise<void> };

function checkContainer(container: unknown, where: string): Container {
  if (container instanceof Container || (typeof container === 'object' && container !== null && typeof (container as Container).startAll === 'function' && typeof (container as Container).resolve === 'function')) {
    return container as Container;
  }
  throw new BandmasterError('InvalidArgument', { service: 'bandmaster/nest', detail: `${where}: container must be a bandmaster Container, like BandmasterModule.forRoot({ container: new Container(), services: [Users] })` });
}

function nestToken(entry: InjectionToken, index: number): string | symbol | (abstract new (...args: never[]) => unknown) {
  if (typeof entry === 'function' || typeof entry === 'string' || typeof entry === 'symbol') return entry;
  if (typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string') return (entry as { name: string }).name;
  throw new BandmasterError('InvalidArgument', { service: 'bandmaster/nest', detail: `services[${index}] must be a class, a string, a symbol or a token(); got ${entry === null ? 'null' : typeof entry}` });
}

function checkServices(services: unknown): readonly InjectionToken[] {
  if (!Array.isArray(services)) {
    throw new BandmasterError('InvalidArgument', { service: 'bandmaster/nest', detail: 'services must list the bandmaster services Nest code injects, like services: [Users, "rd-1"]' });
  }
  return services as InjectionToken[];
}

/**
 * Boots the container (unless every service is started) and returns the shutdown hook. A boot
 * that fails because a bandmaster service asks for a Nest provider says so (see nest-providers).
 */
async function boot(options: Omit<BandmasterModuleOptions, 'services'>, discovery: DiscoveryService, exposed: readonly InjectionToken[]): Promise<Lifecycle> {
  const container = checkContainer(options.container, 'BandmasterModule');
  const services = container.status();
  if (services.length === 0 || services.some((s) => s.state !== 'started')) {
    await container.startAll({ timeout: options.startTimeout }).catch((error: unknown) => {
      throw explainNestDependencies(error, discovery, exposed);
    });
  }
  return {
    // after Nest closed its HTTP server and ran the other shutdown hooks' earlier phases
    onApplicationShutdown: async () => void (await container.stopAll({ timeout: options.stopTimeout })),
  };
}

function serviceProviders(services: readonly InjectionToken[], container: () => Container): Provider[] {
  return services.map((entry, index) => ({
    provide: nestToken(entry, index),
    useFactory: () => container().resolve(entry),
    inject: [LIFECYCLE],
  }));
}

/**
 * The module of one forRoot() call: a BandmasterModule whose `configure` gives every HTTP request
 * `req.scope` (Nest calls it for HTTP applications only; the scope opens on first use).
 */
function rootModule(container: () => Container): typeof BandmasterModule {
  let middleware: ScopeMiddleware | undefined;
  const scoped: ScopeMiddleware = (req, res, next) => (middleware ??= scopeMiddleware(container()))(req, res, next);
  class Root extends BandmasterModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(scoped).forRoutes('*');
    }
  }
  // Nest's logs name the module by its class
  Object.defineProperty(Root, 'name', { value: 'BandmasterModule' });
  return Root;
}

function dynamicModule(providers: Provider[], container: () => Container, imports: ModuleMetadata['imports'] = []): DynamicModule {
  const exported = providers.map((p) => (typeof p === 'function' ? p : p.provide)).filter((t) => t !== LIFECYCLE && t !== OPTIONS);
  return { module: rootModule(container), global: true, imports: [nestCore().DiscoveryModule, ...imports], providers, exports: exported };
}

/**
 * A global NestJS module: the listed bandmaster services become Nest providers, the container is
 * booted (in parallel, with its retries) while Nest builds its providers, so before any
 * `onModuleInit` hook runs, and it is stopped in `onApplicationShutdown` (call
 * `app.enableShutdownHooks()` for signals, or `app.close()`). The container itself is provided
 * as `Container`. In an HTTP application every request gets `req.scope` (the request scope of
 * `scopeMiddleware`: opened on first use, disposed once the response is over); with the Fastify
 * adapter it is on the raw request, `req.raw.scope`.
 *
 * A bandmaster service cannot depend on a Nest provider: the container boots before Nest builds
 * its providers. Nest providers depend on bandmaster services, not the other way round; a value
 * Nest makes (a `ConfigService`) is given to the container in `forRootAsync`'s `useFactory`.
 *
 * @example
 * ```ts
 * @Module({ imports: [BandmasterModule.forRoot({ container, services: [Users, 'rd-1'] })] })
 * class AppModule {}
 * // in a Nest provider: constructor(private readonly users: Users, @Inject('rd-1') redis: Redis) {}
 * // in a controller: @Get() list(@Req() req: Request) { return req.scope.resolve(RequestLog); }
 * ```
 */
export class BandmasterModule {
  /**
   * @throws BandmasterError `InvalidArgument` when `container` is not a Container or `services`
   * not a list; Nest's init rejects with the `BootError` when a required service fails, its
   * errors an `InvalidDefinition` for each bandmaster service that depends on a Nest provider.
   */
  static forRoot(options: BandmasterModuleOptions): DynamicModule {
    const container = checkContainer(options?.container, 'BandmasterModule.forRoot()');
    const services = checkServices(options.services);
    const { DiscoveryService } = nestCore();
    const lifecycle: FactoryProvider = { provide: LIFECYCLE, useFactory: (discovery: DiscoveryService) => boot(options, discovery, services), inject: [DiscoveryService] };
    const value: ValueProvider = { provide: Container, useValue: container };
    return dynamicModule([lifecycle, value, ...serviceProviders(services, () => container)], () => container);
  }

  /**
   * The container comes from a Nest factory (for example one using a `ConfigService`).
   *
   * @throws BandmasterError `InvalidArgument` when `useFactory` is missing, `services` is not a
   * list, or the factory's `container` is not a Container.
   */
  static forRootAsync(options: BandmasterModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new BandmasterError('InvalidArgument', { service: 'bandmaster/nest', detail: 'BandmasterModule.forRootAsync() needs useFactory, returning { container }' });
    }
    const services = checkServices(options.services);
    let container: Container | undefined;
    const resolved: FactoryProvider = {
      provide: OPTIONS,
      inject: options.inject ?? [],
      useFactory: async (...args: unknown[]) => {
        const built = await options.useFactory(...args);
        container = checkContainer(built?.container, 'BandmasterModule.forRootAsync() useFactory');
        return built;
      },
    };
    const { DiscoveryService } = nestCore();
    const lifecycle: FactoryProvider = {
      provide: LIFECYCLE,
      useFactory: (built: BandmasterModuleOptions, discovery: DiscoveryService) => boot(built, discovery, services),
      inject: [OPTIONS, DiscoveryService],
    };
    const value: FactoryProvider = { provide: Container, useFactory: () => container, inject: [LIFECYCLE] };
    return dynamicModule([resolved, lifecycle, value, ...serviceProviders(services, () => container as Container)], () => container as Container, options.imports);
  }
}
