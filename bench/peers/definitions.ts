// The definitions bandmaster's two bench adapters register (bandmaster.ts: lib's modules;
// bandmaster-package.ts: the package's main bundle). Imports no bandmaster code at run time: the
// package adapter must not load the unbundled lib.
import type { AnyDefinition } from '../../lib';
import { makeService, type BenchService, type Graph } from '../graph';
import type { Hooks } from '../hooks';

/** One definition per service; without `hooks`, none has start or stop hooks. */
export function definitions(graph: Graph, hooks: Hooks | undefined): AnyDefinition[] {
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
