import 'reflect-metadata';
import { makeService, type BenchService } from '../graph';
import type { Booted, Built, Contestant } from '../contestant';
import { importEsm } from './load';

interface Binding {
  toResolvedValue(factory: (...args: unknown[]) => unknown, inject: string[]): { inSingletonScope(): { onDeactivation(hook: () => Promise<void>): void } };
}
interface InversifyContainer {
  bind(id: string): Binding;
  get(id: string): unknown;
  getAsync(id: string): Promise<unknown>;
  unbindAllAsync(): Promise<void>;
}
interface Inversify {
  Container: new () => InversifyContainer;
}

/**
 * InversifyJS: async singletons from `toResolvedValue` with their dependencies, booted by
 * resolving every service with `getAsync`; stop hooks are deactivations, run by `unbindAllAsync`.
 */
export const inversify: Contestant = {
  name: 'InversifyJS',
  stopNote: 'deactivations ignore dependency order',
  boot: async (graph, hooks): Promise<Booted> => {
    const { Container } = await importEsm<Inversify>('inversify');
    const c = new Container();
    const { names, deps } = graph;
    for (let i = 0; i < graph.size; i++) {
      c.bind(names[i]!)
        .toResolvedValue(async (...args: unknown[]) => {
          await hooks.start(i);
          return makeService(i, args);
        }, deps[i]!.map((d) => names[d]!))
        .inSingletonScope()
        .onDeactivation(() => hooks.stop(i));
    }
    await Promise.all(names.map((name) => c.getAsync(name)));
    return { stop: () => c.unbindAllAsync() };
  },
  build: async (graph): Promise<Built> => {
    const { Container } = await importEsm<Inversify>('inversify');
    const c = new Container();
    const { names, deps } = graph;
    for (let i = 0; i < graph.size; i++) {
      c.bind(names[i]!).toResolvedValue((...args: unknown[]) => makeService(i, args), deps[i]!.map((d) => names[d]!)).inSingletonScope();
    }
    for (const name of names) c.get(name);
    return {
      resolveLoop: (list, iterations) => {
        let sum = 0;
        const n = list.length;
        for (let k = 0; k < iterations; k++) sum += (c.get(list[k % n]!) as BenchService).id;
        return sum;
      },
      dispose: () => c.unbindAllAsync(),
    };
  },
};
