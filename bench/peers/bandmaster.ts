import 'reflect-metadata';
import { Container, type AnyDefinition } from '../../lib';
import { makeService, type BenchService, type Graph } from '../graph';
import type { Hooks } from '../hooks';
import type { Booted, Built, Contestant } from '../contestant';

function definitions(graph: Graph, hooks: Hooks | undefined): AnyDefinition[] {
  const { names, deps } = graph;
  const defs: AnyDefinition[] = new Array(graph.size);
  // definition hooks get the instance: one pair of functions serves every service
  const onStart = hooks ? (service: BenchService) => hooks.start(service.id) : undefined;
  const onStop = hooks ? (service: BenchService) => hooks.stop(service.id) : undefined;
  for (let i = 0; i < graph.size; i++) {
    defs[i] = { name: names[i]!, deps: deps[i]!.map((d) => names[d]!), useFactory: (...args: unknown[]) => makeService(i, args), onStart, onStop };
  }
  return defs;
}

/** bandmaster itself, logging off (the logging case measures the logger). */
export const bandmaster: Contestant = {
  name: 'bandmaster',
  boot: async (graph, hooks): Promise<Booted> => {
    const container = new Container({ logger: false });
    container.register(...definitions(graph, hooks));
    await container.startAll();
    return { stop: async () => void (await container.stopAll()) };
  },
  build: async (graph): Promise<Built> => {
    const container = new Container({ logger: false });
    container.register(...definitions(graph, undefined));
    await container.startAll();
    return {
      resolveLoop: (names, iterations) => {
        let sum = 0;
        const n = names.length;
        for (let k = 0; k < iterations; k++) sum += (container.resolve(names[k % n]!) as { id: number }).id;
        return sum;
      },
      dispose: async () => void (await container.stopAll()),
    };
  },
};
