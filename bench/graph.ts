/** A seeded random DAG: service `i` depends only on services with a smaller index. */
export interface Graph {
  readonly size: number;
  readonly names: readonly string[];
  /** Dependencies of each service, by index. */
  readonly deps: readonly (readonly number[])[];
}

/** Options of {@link makeGraph}. */
export interface GraphOptions {
  readonly size: number;
  readonly seed: number;
  readonly minDeps?: number;
  readonly maxDeps?: number;
}

/** Mulberry32: small, fast and good enough to make the same graph on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every service but the first depends on 1 to 3 (distinct) earlier ones, picked uniformly. */
export function makeGraph({ size, seed, minDeps = 1, maxDeps = 3 }: GraphOptions): Graph {
  const random = seededRandom(seed);
  const names: string[] = new Array(size);
  const deps: number[][] = new Array(size);
  for (let i = 0; i < size; i++) {
    names[i] = `s${i}`;
    const want = Math.min(i, minDeps + Math.floor(random() * (maxDeps - minDeps + 1)));
    const picked = new Set<number>();
    while (picked.size < want) picked.add(Math.floor(random() * i));
    deps[i] = [...picked];
  }
  return { size, names, deps };
}

/** Services on the longest dependency chain: the boot's critical path in hooks. */
export function depth(graph: Graph): number {
  const level = new Int32Array(graph.size);
  let max = 0;
  for (let i = 0; i < graph.size; i++) {
    let l = 0;
    for (const d of graph.deps[i]!) l = Math.max(l, level[d]!);
    level[i] = l + 1;
    max = Math.max(max, l + 1);
  }
  return max;
}

/** The object every contestant builds for a service: its index and its dependencies. */
export interface BenchService {
  readonly id: number;
  readonly deps: readonly unknown[];
}

export function makeService(id: number, deps: readonly unknown[]): BenchService {
  return { id, deps };
}
