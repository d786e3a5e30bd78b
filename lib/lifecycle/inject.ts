import { STARTED, type ServiceNode } from './node';

/** The instances of the injected dependencies that are started, in parameter order. */
export function injectedArgs(node: ServiceNode): unknown[] {
  const count = node.spec.injectCount;
  const args: unknown[] = new Array(count);
  if (count === 0) return args;
  const { depStart, depIdx, state, instances } = node.table;
  const from = depStart[node.index]!;
  for (let k = 0; k < count; k++) {
    const d = depIdx[from + k]!;
    args[k] = d >= 0 && state[d] === STARTED ? instances[d] : undefined;
  }
  return args;
}
