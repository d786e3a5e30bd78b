import fc from 'fast-check';

/** An edge of a generated graph: service `from` depends on service `to` (always `to < from`, so it is acyclic). */
export interface DagEdge {
  readonly from: number;
  readonly to: number;
  readonly optional: boolean;
}

/** A generated dependency graph: `size` services named `s0`..`s<size-1>`. */
export interface Dag {
  readonly size: number;
  readonly edges: readonly DagEdge[];
  /** Per service, how many event-loop turns its hooks take: varies the interleavings. */
  readonly delays: readonly number[];
}

/** The name of service `i`. */
export const serviceName = (i: number): string => `s${i}`;

/** Options of {@link dagArbitrary}. */
export interface DagArbitraryOptions {
  readonly maxSize?: number;
  /** Whether some edges are `@Optional()`-like; default false. */
  readonly optionalEdges?: boolean;
}

/** fast-check arbitrary of random DAGs; shrinks towards fewer services and edges. */
export function dagArbitrary(options: DagArbitraryOptions = {}): fc.Arbitrary<Dag> {
  const maxSize = options.maxSize ?? 24;
  return fc.integer({ min: 1, max: maxSize }).chain((size) =>
    fc
      .record({
        pairs: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1), options.optionalEdges ? fc.boolean() : fc.constant(false)), { maxLength: size * 3 }),
        delays: fc.array(fc.nat(3), { minLength: size, maxLength: size }),
      })
      .map(({ pairs, delays }) => ({ size, edges: normalize(pairs), delays })),
  );
}

function normalize(pairs: readonly [number, number, boolean][]): DagEdge[] {
  const seen = new Set<string>();
  const edges: DagEdge[] = [];
  for (const [a, b, optional] of pairs) {
    if (a === b) continue;
    const from = Math.max(a, b);
    const to = Math.min(a, b);
    const key = `${from}>${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to, optional });
  }
  return edges;
}

/** Direct dependencies of every service of `dag`, in edge order. */
export function dependenciesOf(dag: Dag): DagEdge[][] {
  const deps: DagEdge[][] = Array.from({ length: dag.size }, () => []);
  for (const edge of dag.edges) deps[edge.from]!.push(edge);
  return deps;
}

/**
 * The services that fail when `failing` fail: those, plus every service that needs one of them
 * through a chain of required edges.
 */
export function downstreamOf(dag: Dag, failing: ReadonlySet<number>): Set<number> {
  const out = new Set(failing);
  // edges always point to a lower index, so one pass in index order settles every service
  const deps = dependenciesOf(dag);
  for (let i = 0; i < dag.size; i++) {
    if (deps[i]!.some((e) => !e.optional && out.has(e.to))) out.add(i);
  }
  return out;
}
