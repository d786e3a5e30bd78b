// The three ways the `app` case boots and stops the same application (bench/realapp/app.ts):
// bandmaster with its own providers, a hand-written main() (the ideal: each service starts the
// moment its own dependencies are up), and NestJS with async providers and onModuleInit hooks.
import 'reflect-metadata';
import { Container, Service, type Constructor } from '../../lib';
import { memcached } from '../../providers/memcached';
import { nats } from '../../providers/nats';
import { redis } from '../../providers/redis';
import { sql } from '../../providers/sql';
import { moduleOf, nest, type Common, type Ctor } from '../peers/nest';
import { CLIENTS, startService, stopService, type App, type AppInstance, type AppService } from './app';
import { openClient, type OpenClient } from './clients';

/** A booted application, ready to stop. */
export interface BootedApp {
  stop(): Promise<void>;
}

/** One way to run the application. */
export interface AppContestant {
  readonly name: string;
  boot(app: App): Promise<BootedApp>;
}

const bandmasterClasses = new WeakMap<App, Constructor[]>();

/** A service's class, its start and stop under the hook names its container calls, named after the service. */
function serviceClass(service: AppService, index: number, start: 'onStart' | 'onModuleInit', stop: 'onStop' | 'onModuleDestroy'): new (...deps: unknown[]) => AppInstance {
  const cls = class implements AppInstance {
    readonly index = index;
    readonly deps: unknown[];
    constructor(...deps: unknown[]) {
      this.deps = deps;
    }
    [start](): Promise<void> {
      return startService(service, this.deps);
    }
    [stop](): Promise<void> {
      return stopService();
    }
  };
  Object.defineProperty(cls, 'name', { value: service.name });
  return cls;
}

/** The services as `@Service` classes (metadata-free `inject` form), made once per app as its code is. */
function serviceClasses(app: App): Constructor[] {
  let classes = bandmasterClasses.get(app);
  if (classes) return classes;
  classes = app.services.map((service, k) => {
    const cls = serviceClass(service, k, 'onStart', 'onStop');
    Service({ name: service.name, inject: service.deps.map((d) => app.names[d]!) })(cls);
    return cls;
  });
  bandmasterClasses.set(app, classes);
  return classes;
}

/** bandmaster: its redis, sql, nats and memcached providers (defaults: this machine's servers), logging off. */
export const bandmasterApp: AppContestant = {
  name: 'bandmaster',
  boot: async (app) => {
    const container = new Container({ logger: false });
    container.register(redis({ name: 'redis' }), sql({ name: 'pg' }), nats({ name: 'nats' }), memcached({ name: 'memcached' }));
    container.register(...serviceClasses(app));
    await container.startAll();
    return { stop: async () => void (await container.stopAll()) };
  },
};

/** The ideal: promises wired by hand, each node started once its own dependencies are, stopped once its dependents are. */
export const handWrittenApp: AppContestant = {
  name: 'hand-written main()',
  boot: async (app) => {
    const opened: OpenClient[] = [];
    const ready: Promise<unknown>[] = CLIENTS.map((name, i) => openClient(name).then((o) => ((opened[i] = o), o.client)));
    app.services.forEach((service, k) => {
      ready.push(
        Promise.all(service.deps.map((d) => ready[d])).then(async (deps) => {
          await startService(service, deps);
          return { index: k, deps };
        }),
      );
    });
    await Promise.all(ready);
    return { stop: () => stopByHand(app, opened) };
  },
};

async function stopByHand(app: App, opened: readonly OpenClient[]): Promise<void> {
  const dependents: number[][] = app.names.map(() => []);
  app.services.forEach((service, k) => service.deps.forEach((d) => dependents[d]!.push(CLIENTS.length + k)));
  const stopped: Promise<void>[] = new Array(app.names.length);
  // dependents have higher indices: walking down, every dependent's promise exists already
  for (let node = app.names.length - 1; node >= 0; node--) {
    const after = Promise.all(dependents[node]!.map((d) => stopped[d]));
    stopped[node] = after.then(() => (node < CLIENTS.length ? opened[node]!.close() : stopService()));
  }
  await Promise.all(stopped);
}

/** One `@Injectable()` class per service, its dependencies named with `@Inject`, started in `onModuleInit`. */
function nestServices(common: Common, app: App): Ctor[] {
  return app.services.map((service: AppService, k) => {
    const cls = serviceClass(service, k, 'onModuleInit', 'onModuleDestroy');
    common.Injectable()(cls);
    service.deps.forEach((d, i) => common.Inject(app.names[d]!)(cls, undefined, i));
    return cls;
  });
}

/**
 * NestJS: each client an async factory provider; a `Clients` provider that injects all four closes
 * them in `onApplicationShutdown`, after every service's `onModuleDestroy`, as a Nest app does.
 */
export const nestApp: AppContestant = {
  name: 'NestJS',
  boot: async (app) => {
    const { common, create } = await nest();
    const opened: OpenClient[] = [];
    const clients = CLIENTS.map((name, i) => ({ provide: name, inject: [], useFactory: async () => ((opened[i] = await openClient(name)), opened[i].client) }));
    const closer = class {
      onApplicationShutdown(): Promise<void> {
        return Promise.all(opened.map((o) => o.close())).then(() => undefined);
      }
    };
    common.Injectable()(closer);
    CLIENTS.forEach((name, i) => common.Inject(name)(closer, undefined, i));
    const services = nestServices(common, app).map((cls, k) => ({ provide: app.services[k]!.name, useClass: cls }));
    const root = moduleOf(common, 'AppModule', { providers: [...clients, ...services, { provide: 'Clients', useClass: closer }] });
    const context = await create(root);
    return { stop: () => context.close() };
  },
};

/** The contestants of the `app` case; the hand-written main() is the reference. */
export const appContestants: readonly AppContestant[] = [handWrittenApp, bandmasterApp, nestApp];
