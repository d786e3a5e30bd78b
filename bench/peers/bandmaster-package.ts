// bandmaster as its package runs: `require('bandmaster')` resolves, through package.json
// "exports" (the repository's own, by self-reference: no node_modules copy), to the main bundle
// that `npm run build` wrote into dist/bundle/, one file instead of lib's ~75 modules. Only the
// cold start runs it (coldCase): warm, it is the same code as the `bandmaster` row. It builds the
// same definitions as that row's adapter, which it must not import (that loads the unbundled lib).
import 'reflect-metadata';
import { Container, type AnyDefinition } from 'bandmaster';
import { makeService, type BenchService, type Graph } from '../graph';
import type { Hooks } from '../hooks';
import type { Booted, Contestant } from '../contestant';

function definitions(graph: Graph, hooks: Hooks): AnyDefinition[] {
  const { names, deps } = graph;
  const defs: AnyDefinition[] = new Array(graph.size);
  const onStart = (service: BenchService) => hooks.start(service.id);
  const onStop = (service: BenchService) => hooks.stop(service.id);
  for (let i = 0; i < graph.size; i++) {
    defs[i] = { name: names[i]!, deps: deps[i]!.map((d) => names[d]!), useFactory: (...args: unknown[]) => makeService(i, args), onStart, onStop };
  }
  return defs;
}

/** bandmaster loaded from its package's main bundle, logging off. */
export const bandmasterPackage: Contestant = {
  name: 'bandmaster (package)',
  boot: async (graph, hooks): Promise<Booted> => {
    const container = new Container({ logger: false });
    container.register(...definitions(graph, hooks));
    await container.startAll();
    return { stop: async () => void (await container.stopAll()) };
  },
};
