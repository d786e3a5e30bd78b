import type { ServiceSpec } from './definition';
import { BandmasterError } from './errors';
import { NO_NODES, type ServiceNode } from './node';
import { describeToken, type InjectionToken } from './tokens';

/** The most cycles one validation reports; a graph with more has bigger problems. */
const MAX_CYCLES = 100;

/**
 * Resolves every node's dependencies and rebuilds the dependents lists. O(V+E).
 */
export function link(nodes: readonly ServiceNode[], lookup: (t: InjectionToken) => ServiceNode | undefined): void {
  // two passes, `mark` counting: each dependents list is allocated at its size (a list grown by
  // push reserves 17 slots)
  const n = nodes.length;
  for (let i = 0; i < n; i++) nodes[i]!.mark = 0;
  for (let j = 0; j < n; j++) {
    const node = nodes[j]!;
    const deps = node.spec.depTokens;
    if (deps.length === 0) {
      node.depNodes = NO_NODES;
      continue;
    }
    const resolved: (ServiceNode | undefined)[] = new Array(deps.length);
    for (let i = 0; i < deps.length; i++) {
      const dep = lookup(deps[i]!);
      resolved[i] = dep;
      if (dep) dep.mark++;
    }
    node.depNodes = resolved;
  }
  for (let j = 0; j < n; j++) {
    const node = nodes[j]!;
    node.dependents = node.mark === 0 ? NO_NODES : new Array<ServiceNode>(node.mark);
    node.mark = 0;
  }
  for (let j = 0; j < n; j++) {
    const node = nodes[j]!;
    const { depNodes } = node;
    for (let i = 0; i < depNodes.length; i++) {
      const dep = depNodes[i];
      if (dep) dep.dependents[dep.mark++] = node;
    }
  }
}

/** Whether dependency `i` of a spec is optional. */
export function isOptionalDep(spec: ServiceSpec, i: number): boolean {
  const optional = spec.optionalDeps;
  return optional !== undefined && optional.includes(i);
}

/**
 * Whether entry `k` of `dep.dependents` is an optional dependency. A dependent's entries are
 * adjacent and in the order of its own dependency list, so entry `k` is its n-th edge to `dep`,
 * n counting its entries before `k`. O(its dependencies): only failures ask.
 */
export function isOptionalEdge(dep: ServiceNode, k: number): boolean {
  const dependent = dep.dependents[k]!;
  let n = 0;
  while (k - n - 1 >= 0 && dep.dependents[k - n - 1] === dependent) n++;
  const { depNodes } = dependent;
  for (let i = 0; i < depNodes.length; i++) {
    if (depNodes[i] !== dep) continue;
    if (n === 0) return isOptionalDep(dependent.spec, i);
    n--;
  }
  return false;
}

/** The roots and everything they depend on, transitively (missing dependencies left out). */
export function closure(roots: readonly ServiceNode[]): ServiceNode[] {
  const out: ServiceNode[] = [];
  const stack = [...roots];
  const seen = new Set<ServiceNode>();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    out.push(node);
    for (const dep of node.depNodes) if (dep && !seen.has(dep)) stack.push(dep);
  }
  return out;
}

/**
 * Every missing dependency and every cycle among `nodes`, in O(V+E). Optional dependencies that
 * are not registered are not errors.
 */
export function validate(nodes: readonly ServiceNode[]): BandmasterError[] {
  const errors: BandmasterError[] = [];
  for (let j = 0; j < nodes.length; j++) {
    const node = nodes[j]!;
    const { depNodes } = node;
    for (let i = 0; i < depNodes.length; i++) {
      if (depNodes[i] !== undefined || isOptionalDep(node.spec, i)) continue;
      const token = node.spec.depTokens[i];
      errors.push(new BandmasterError('DependencyMissing', {
        service: node.name,
        dependency: describeToken(token),
        detail: typeof token === 'function' ? 'register that class, or scan() the root so its @Service dependencies are registered' : 'register a service under that name',
      }));
    }
  }
  for (const cycle of findCycles(nodes)) {
    errors.push(new BandmasterError('DependencyCircular', { service: cycle[0], cycle }));
  }
  return errors;
}

const WHITE = 0;
const GREY = 1;
const BLACK = 2;

/** Cycles found by an iterative depth-first search, each as a path `['A', 'D', 'B', 'A']`. */
export function findCycles(nodes: readonly ServiceNode[]): string[][] {
  for (const n of nodes) n.mark = WHITE;
  const cycles: string[][] = [];
  const path: ServiceNode[] = [];
  const next: number[] = [];
  for (const root of nodes) {
    if (root.mark !== WHITE) continue;
    root.mark = GREY;
    path.push(root);
    next.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const i = next[top]!;
      if (i >= node.depNodes.length) {
        node.mark = BLACK;
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const dep = node.depNodes[i];
      if (!dep) continue;
      if (dep.mark === GREY && cycles.length < MAX_CYCLES) {
        const from = path.lastIndexOf(dep);
        cycles.push([...path.slice(from).map((n) => n.name), dep.name]);
      } else if (dep.mark === WHITE) {
        dep.mark = GREY;
        path.push(dep);
        next.push(0);
      }
    }
  }
  return cycles;
}
