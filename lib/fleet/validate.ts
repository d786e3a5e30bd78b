/** What `startAll` checks of `exclusive` and `once` services, beside missing dependencies and cycles. */
import { BandmasterError } from '../errors';
import type { NodeTable, ServiceNode } from '../lifecycle/node';
import { providerKind } from '../provider';
import { describeToken } from '../tokens';
import { fleetOf } from './service';

/** The providers whose clients hold locks. */
const LOCK_PROVIDERS = new Set(['sql', 'redis']);

/**
 * `InvalidDefinition` errors among `nodes` (linked): a lock service that is not registered or is
 * not a sql or redis provider service; a `once` service that some service injects (it is a
 * start-order dependency only). O(V+E).
 */
export function fleetErrors(table: NodeTable, nodes: readonly ServiceNode[]): BandmasterError[] {
  const errors: BandmasterError[] = [];
  const { depStart, depIdx } = table;
  for (const node of nodes) {
    const service = fleetOf(node.spec);
    if (service !== undefined) {
      const lock = depIdx[depStart[node.index]! + service.lockArg]!;
      const option = service.mode;
      if (lock < 0) {
        errors.push(invalid(node.name, `its ${option} lock service \`${describeToken(service.lock)}\` is not registered: register a sql or redis provider under that name, such as sql({ name: '${describeToken(service.lock)}', env: 'DB' })`));
      } else if (!LOCK_PROVIDERS.has(providerKind(table.nodes[lock]!.spec.provides) ?? '')) {
        errors.push(invalid(node.name, `its ${option} lock service \`${table.nodes[lock]!.name}\` is not a sql or redis provider service: locks live in PostgreSQL (sql) or Redis (redis)`));
      }
    }
    const from = depStart[node.index]!;
    for (let k = 0; k < node.spec.injectCount; k++) {
      const d = depIdx[from + k]!;
      if (d < 0) continue;
      const dep = table.nodes[d]!;
      if (fleetOf(dep.spec)?.mode === 'once') {
        errors.push(invalid(node.name, `it injects \`${dep.name}\`, a once service, which has no instance on the replicas that skip it: make it a start-order dependency, @DependsOn('${dep.name}') (plain definitions: dependsOn)`));
      }
    }
  }
  return errors;
}

function invalid(service: string, detail: string): BandmasterError {
  return new BandmasterError('InvalidDefinition', { service, detail });
}
