import 'reflect-metadata';
import { makeService, type BenchService, type Graph } from '../graph';
import type { Hooks } from '../hooks';
import type { Booted, Built, Contestant } from '../contestant';

import { importEsm } from './load';

/** A class, as Nest's decorators take it. */
export type Ctor = new (...args: never[]) => object;
type Provider = { provide: string; useClass: Ctor } | { provide: string; inject: string[]; useFactory: (...args: unknown[]) => Promise<unknown> };
/** What `@Module` takes. */
export interface ModuleMetadata {
  imports?: Ctor[];
  providers?: Provider[];
  exports?: string[];
}
/** The part of @nestjs/common the adapters use. */
export interface Common {
  Injectable(): (target: Ctor) => void;
  Inject(token: string): (target: Ctor, key: undefined, index: number) => void;
  Module(metadata: ModuleMetadata): (target: Ctor) => void;
}
/** A Nest application context. */
export interface AppContext {
  get(token: string): unknown;
  close(): Promise<void>;
}
interface Core {
  NestFactory: { createApplicationContext(module: Ctor, options: { logger: false; abortOnError: false }): Promise<AppContext> };
}

/** Nest's common and core packages, and a way to create an application context without logs. */
export async function nest(): Promise<{ common: Common; create: (module: Ctor) => Promise<AppContext> }> {
  const common = await importEsm<Common>('@nestjs/common');
  const { NestFactory } = await importEsm<Core>('@nestjs/core');
  return { common, create: (module) => NestFactory.createApplicationContext(module, { logger: false, abortOnError: false }) };
}

/** `{ provide, useFactory: async (...deps) => ..., inject }`: Nest awaits each factory's dependencies. */
function factoryProviders(graph: Graph, hooks: Hooks | undefined): Provider[] {
  const { names, deps } = graph;
  return names.map((name, i) => ({
    provide: name,
    inject: deps[i]!.map((d) => names[d]!),
    useFactory: async (...args: unknown[]) => {
      if (hooks) await hooks.start(i);
      const service = makeService(i, args);
      return hooks ? Object.assign(service, { onModuleDestroy: () => hooks.stop(i) }) : service;
    },
  }));
}

/** One `@Injectable()` class per service, its dependencies named with `@Inject`, started in `onModuleInit`. */
function hookClasses(common: Common, graph: Graph, hooks: Hooks): Ctor[] {
  const { names, deps } = graph;
  return names.map((name, i) => {
    const cls = class {
      readonly id = i;
      readonly deps: unknown[];
      constructor(...args: unknown[]) {
        this.deps = args;
      }
      onModuleInit(): Promise<void> {
        return hooks.start(i);
      }
      onModuleDestroy(): Promise<void> {
        return hooks.stop(i);
      }
    };
    Object.defineProperty(cls, 'name', { value: name });
    common.Injectable()(cls);
    deps[i]!.forEach((d, k) => common.Inject(names[d]!)(cls, undefined, k));
    return cls;
  });
}

/** A `@Module` class named `name`. */
export function moduleOf(common: Common, name: string, metadata: ModuleMetadata): Ctor {
  const cls = class {};
  Object.defineProperty(cls, 'name', { value: name });
  common.Module(metadata)(cls);
  return cls;
}

export const nestFactories: Contestant = {
  name: 'NestJS async factories',
  stopNote: 'onModuleDestroy: all providers of a module at once, no dependency order',
  boot: async (graph, hooks): Promise<Booted> => {
    const { common, create } = await nest();
    const app = await create(moduleOf(common, 'AppModule', { providers: factoryProviders(graph, hooks) }));
    return { stop: () => app.close() };
  },
  build: async (graph): Promise<Built> => {
    const { common, create } = await nest();
    const app = await create(moduleOf(common, 'AppModule', { providers: factoryProviders(graph, undefined) }));
    return {
      resolveLoop: (names, iterations) => {
        let sum = 0;
        const n = names.length;
        for (let k = 0; k < iterations; k++) sum += (app.get(names[k % n]!) as BenchService).id;
        return sum;
      },
      dispose: () => app.close(),
    };
  },
};

export const nestOnModuleInit: Contestant = {
  name: 'NestJS onModuleInit',
  stopNote: 'onModuleDestroy: all providers of a module at once, no dependency order',
  boot: async (graph, hooks): Promise<Booted> => {
    const { common, create } = await nest();
    const providers = hookClasses(common, graph, hooks).map((cls, i) => ({ provide: graph.names[i]!, useClass: cls }));
    const app = await create(moduleOf(common, 'AppModule', { providers }));
    return { stop: () => app.close() };
  },
};

export const nestModules: Contestant = {
  name: 'NestJS module per service',
  slow: true,
  boot: async (graph, hooks): Promise<Booted> => {
    const { common, create } = await nest();
    const classes = hookClasses(common, graph, hooks);
    const modules: Ctor[] = [];
    graph.names.forEach((name, i) => {
      const provider = { provide: name, useClass: classes[i]! };
      modules.push(moduleOf(common, `M${name}`, { imports: graph.deps[i]!.map((d) => modules[d]!), providers: [provider], exports: [name] }));
    });
    const app = await create(moduleOf(common, 'AppModule', { imports: modules }));
    return { stop: () => app.close() };
  },
};
