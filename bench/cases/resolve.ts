import type { Built, Contestant } from '../contestant';
import type { Graph } from '../graph';
import { collect, rotate } from '../stats';

/** Options of {@link measureResolve}. */
export interface ResolveOptions {
  readonly graph: Graph;
  readonly contestants: readonly Contestant[];
  readonly rounds: number;
  readonly iterations: number;
}

/**
 * ns per `resolve` of a built singleton, per contestant and round. Every service is resolved in
 * turn (not one hot key), by the token each container names services with.
 */
export async function measureResolve(options: ResolveOptions): Promise<Map<string, number[]>> {
  const { graph, rounds, iterations } = options;
  const built = new Map<string, Built>();
  const out = new Map<string, number[]>();
  for (const c of options.contestants) {
    if (!c.build) continue;
    const b = await c.build(graph);
    b.resolveLoop(graph.names, Math.min(iterations, 300_000));
    built.set(c.name, b);
    out.set(c.name, []);
  }
  const names = [...built.keys()];
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(names, round)) {
      collect();
      const t0 = performance.now();
      const sum = built.get(name)!.resolveLoop(graph.names, iterations);
      const ns = ((performance.now() - t0) * 1e6) / iterations;
      if (!(sum > 0)) throw new Error(`${name}: resolve returned nothing`);
      out.get(name)!.push(ns);
    }
  }
  for (const b of built.values()) await b.dispose();
  return out;
}
