import type { ServiceSpec } from '../definition';
import { BandmasterError } from '../errors';
import type { NodeTable, ServiceNode } from '../lifecycle/node';
import type { ScopeCheck } from '../scope/validate';
import { describeToken, type InjectionToken } from '../tokens';

/** The most cycles one validation reports; a graph with more has bigger problems. */
const MAX_CYCLES = 100;

/**
 * Resolves every service's dependencies to indices and rebuilds the dependents, as the table's
 * edge columns (see {@link NodeTable}). O(V+E).
 */
export function link(table: NodeTable, indexOf: (t: InjectionToken) => number): void {
  const { nodes } = table;
  const n = nodes.length;
  let edges = 0;
  for (let i = 0; i < n; i++) edges += nodes[i]!.spec.depTokens.length;
  const depStart = new Int32Array(n + 1);
  const depIdx = new Int32Array(edges);
  // dependents per service first, then each service's first slot (prefix sums)
  const fill = new Int32Array(n + 1);
  let e = 0;
  for (let i = 0; i < n; i++) {
    depStart[i] = e;
    const tokens = nodes[i]!.spec.depTokens;
    for (let k = 0; k < tokens.length; k++) {
      // an all(tag) entry links to nothing (-1): its members are edges of their own (lib/scope/derive.ts)
      const d = indexOf(tokens[k] as InjectionToken);
      depIdx[e++] = d;
      if (d >= 0) fill[d]!++;
    }
  }
  depStart[n] = e;
  const dntStart = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    dntStart[i] = total;
    total += fill[i]!;
    fill[i] = dntStart[i]!;
  }
  dntStart[n] = total;
  const dntIdx = new Int32Array(total);
  for (let i = 0; i < n; i++) {
    for (let k = depStart[i]!; k < depStart[i + 1]!; k++) {
      const d = depIdx[k]!;
      if (d >= 0) dntIdx[fill[d]!++] = i;
    }
  }
  table.depStart = depStart;
  table.depIdx = depIdx;
  table.dntStart = dntStart;
  table.dntIdx = dntIdx;
  table.linked = n;
}

/** Whether dependency `i` of a spec is optional. */
export function isOptionalDep(spec: ServiceSpec, i: number): boolean {
  const optional = spec.optionalDeps;
  return optional !== undefined && optional.includes(i);
}

/**
 * Whether dependents entry `k` (an index into `table.dntIdx`) of service `dep` is an optional
 * dependency. A dependent's entries are adjacent and in the order of its own dependency list, so
 * entry `k` is its n-th edge to `dep`, n counting its entries before `k`. O(its dependencies):
 * only failures ask.
 */
export function isOptionalEdge(table: NodeTable, dep: number, k: number): boolean {
  const { dntStart, dntIdx, depStart, depIdx } = table;
  const dependent = dntIdx[k]!;
  const first = dntStart[dep]!;
  let n = 0;
  while (k - n - 1 >= first && dntIdx[k - n - 1] === dependent) n++;
  const from = depStart[dependent]!;
  for (let e = from; e < depStart[dependent + 1]!; e++) {
    if (depIdx[e] !== dep) continue;
    if (n === 0) return isOptionalDep(table.nodes[dependent]!.spec, e - from);
    n--;
  }
  return false;
}

/** The roots and everything they depend on, transitively (missing dependencies left out). */
export function closure(table: NodeTable, roots: readonly ServiceNode[]): ServiceNode[] {
  const { depStart, depIdx, nodes } = table;
  const seen = new Uint8Array(nodes.length);
  const out: ServiceNode[] = [];
  const stack = roots.map((r) => r.index);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (seen[i] === 1) continue;
    seen[i] = 1;
    out.push(nodes[i]!);
    for (let e = depStart[i]!; e < depStart[i + 1]!; e++) {
      const d = depIdx[e]!;
      if (d >= 0 && seen[d] === 0) stack.push(d);
    }
  }
  return out;
}

/**
 * Every missing dependency and every cycle among `nodes`, in O(V+E). Optional dependencies that
 * are not registered are not errors. With `scopes`, dependencies on tags, on the container and on
 * transient and scoped services are not missing, and its errors (`ScopeMismatch`, cycles among
 * transient and scoped services) come after the others.
 */
export function validate(table: NodeTable, nodes: readonly ServiceNode[], scopes?: ScopeCheck): BandmasterError[] {
  const errors: BandmasterError[] = [];
  const { depStart, depIdx } = table;
  for (let j = 0; j < nodes.length; j++) {
    const node = nodes[j]!;
    const from = depStart[node.index]!;
    for (let e = from; e < depStart[node.index + 1]!; e++) {
      const i = e - from;
      if (depIdx[e]! >= 0 || isOptionalDep(node.spec, i)) continue;
      const token = node.spec.depTokens[i]!;
      if (scopes !== undefined && scopes.notMissing(token)) continue;
      errors.push(new BandmasterError('DependencyMissing', {
        service: node.name,
        dependency: describeToken(token),
        detail: typeof token === 'function' ? 'register that class, or scan() the root so its @Service dependencies are registered' : 'register a service under that name',
      }));
    }
  }
  for (const cycle of findCycles(table, nodes)) {
    errors.push(new BandmasterError('DependencyCircular', { service: cycle[0], cycle }));
  }
  if (scopes !== undefined) errors.push(...scopes.errors(nodes));
  return errors;
}

const WHITE = 0;
const GREY = 1;
const BLACK = 2;

/** Cycles found by an iterative depth-first search, each as a path `['A', 'D', 'B', 'A']`. */
export function findCycles(table: NodeTable, nodes: readonly ServiceNode[]): string[][] {
  const { depStart, depIdx, mark } = table;
  for (let j = 0; j < nodes.length; j++) mark[nodes[j]!.index] = WHITE;
  const cycles: string[][] = [];
  // the path as indices, and each one's next dependency edge
  const path: number[] = [];
  const next: number[] = [];
  for (let j = 0; j < nodes.length; j++) {
    const root = nodes[j]!.index;
    if (mark[root] !== WHITE) continue;
    mark[root] = GREY;
    path.push(root);
    next.push(depStart[root]!);
    while (path.length > 0) {
      const top = path.length - 1;
      const i = path[top]!;
      const e = next[top]!;
      if (e >= depStart[i + 1]!) {
        mark[i] = BLACK;
        path.pop();
        next.pop();
        continue;
      }
      next[top] = e + 1;
      const dep = depIdx[e]!;
      if (dep < 0) continue;
      if (mark[dep] === GREY && cycles.length < MAX_CYCLES) {
        const from = path.lastIndexOf(dep);
        cycles.push([...path.slice(from).map((k) => table.nodes[k]!.name), table.nodes[dep]!.name]);
      } else if (mark[dep] === WHITE) {
        mark[dep] = GREY;
        path.push(dep);
        next.push(depStart[dep]!);
      }
    }
  }
  return cycles;
}

/** `node` first, then every service that depends on it, transitively (breadth-first). */
export function withDependents(table: NodeTable, node: ServiceNode): ServiceNode[] {
  const { dntStart, dntIdx, nodes } = table;
  const seen = new Uint8Array(nodes.length);
  const out = [node];
  seen[node.index] = 1;
  for (let q = 0; q < out.length; q++) {
    const i = out[q]!.index;
    for (let k = dntStart[i]!; k < dntStart[i + 1]!; k++) {
      const j = dntIdx[k]!;
      if (seen[j] === 0) {
        seen[j] = 1;
        out.push(nodes[j]!);
      }
    }
  }
  return out;
}
