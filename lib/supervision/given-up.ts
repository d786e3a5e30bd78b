import { isOptionalDep } from '../graph/edges';
import type { BandmasterError } from '../errors';
import { FAILED, STOPPED, WAITING, type NodeTable, type ServiceNode } from '../lifecycle/node';

/**
 * The dependents in `set` (a given-up service first, then its dependents) that cannot start
 * without it: a required edge to it, or to another of them; each with the dependency it needs.
 * The others reach it only through `@Optional()` edges (or through services that do) and start
 * without it, as in a boot (DESIGN: "unless the parameter is `@Optional()`").
 */
export function requiredDependents(table: NodeTable, set: readonly ServiceNode[]): Map<ServiceNode, ServiceNode> {
  const { depStart, depIdx, nodes } = table;
  const down = new Set<ServiceNode>([set[0]!]);
  const needing = new Map<ServiceNode, ServiceNode>();
  // to a fixpoint: the set is in breadth-first order, not in dependency order
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of set) {
      if (down.has(node)) continue;
      const i = node.index;
      for (let e = depStart[i]!; e < depStart[i + 1]!; e++) {
        const dep = depIdx[e]! >= 0 ? nodes[depIdx[e]!]! : undefined;
        if (!dep || !(down.has(dep) || dep.code === FAILED) || isOptionalDep(node.spec, e - depStart[i]!)) continue;
        down.add(node);
        needing.set(node, dep);
        changed = true;
        break;
      }
    }
  }
  return needing;
}

/** A stopped service becomes failed with `error` (through waiting: the state machine's only way); false when it is not stopped. */
export function markFailed(node: ServiceNode, error: BandmasterError): boolean {
  if (node.code !== STOPPED) return false;
  node.transition(WAITING);
  node.transition(FAILED);
  node.error = error;
  node.notify();
  return true;
}
