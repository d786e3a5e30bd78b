import 'reflect-metadata';
import { makeService, type BenchService, type Graph } from '../graph';
import type { Built, Contestant } from '../contestant';
import { importCjs, importEsm } from './load';

interface Resolving {
  resolve(name: string): unknown;
}
interface Tsyringe {
  container: { createChildContainer(): Resolving & { register(name: string, provider: { useFactory: (c: Resolving) => unknown }): void; clearInstances(): void } };
  instanceCachingFactory(factory: (c: Resolving) => unknown): (c: Resolving) => unknown;
}
interface TypeDi {
  Container: { of(id: string): { set(options: { id: string; factory: () => unknown }): void; get(id: string): unknown; reset(options: { strategy: 'resetServices' }): void } };
}
interface Awilix {
  createContainer(options: { injectionMode: string; strict: boolean }): Resolving & { register(name: string, resolver: unknown): void; dispose(): Promise<void> };
  asFunction(factory: (cradle: Record<string, unknown>) => unknown): { singleton(): unknown };
  InjectionMode: { PROXY: string };
}

// Containers without an async lifecycle: they build singletons on resolve and have no start
// hooks, so only resolve throughput and heap are comparable.
const NO_ASYNC = 'no async start hooks: construction only';

function loop(resolve: (name: string) => unknown): Built['resolveLoop'] {
  return (names, iterations) => {
    let sum = 0;
    const n = names.length;
    for (let k = 0; k < iterations; k++) sum += (resolve(names[k % n]!) as BenchService).id;
    return sum;
  };
}

/** Resolves every service once, so each singleton is built before it is measured. */
function buildAll(graph: Graph, resolve: (name: string) => unknown): void {
  for (const name of graph.names) resolve(name);
}

export const tsyringe: Contestant = {
  name: 'tsyringe',
  bootNote: NO_ASYNC,
  build: async (graph) => {
    const { container: root, instanceCachingFactory } = await importCjs<Tsyringe>('tsyringe');
    const c = root.createChildContainer();
    const { names, deps } = graph;
    for (let i = 0; i < graph.size; i++) {
      c.register(names[i]!, { useFactory: instanceCachingFactory((dc) => makeService(i, deps[i]!.map((d) => dc.resolve(names[d]!)))) });
    }
    const resolve = (name: string): unknown => c.resolve(name);
    buildAll(graph, resolve);
    return { resolveLoop: loop(resolve), dispose: async () => c.clearInstances() };
  },
};

export const typedi: Contestant = {
  name: 'TypeDI',
  bootNote: NO_ASYNC,
  build: async (graph) => {
    const { Container } = await importCjs<TypeDi>('typedi');
    const c = Container.of(`bench-${Math.random()}`);
    const { names, deps } = graph;
    for (let i = 0; i < graph.size; i++) {
      c.set({ id: names[i]!, factory: () => makeService(i, deps[i]!.map((d) => c.get(names[d]!))) });
    }
    const resolve = (name: string): unknown => c.get(name);
    buildAll(graph, resolve);
    return { resolveLoop: loop(resolve), dispose: async () => void c.reset({ strategy: 'resetServices' }) };
  },
};

export const awilix: Contestant = {
  name: 'awilix',
  bootNote: NO_ASYNC,
  build: async (graph) => {
    const { createContainer, asFunction, InjectionMode } = await importEsm<Awilix>('awilix');
    const c = createContainer({ injectionMode: InjectionMode.PROXY, strict: true });
    const { names, deps } = graph;
    for (let i = 0; i < graph.size; i++) {
      c.register(names[i]!, asFunction((cradle: Record<string, unknown>) => makeService(i, deps[i]!.map((d) => cradle[names[d]!]))).singleton());
    }
    const resolve = (name: string): unknown => c.resolve(name);
    buildAll(graph, resolve);
    return { resolveLoop: loop(resolve), dispose: () => c.dispose() };
  },
};
