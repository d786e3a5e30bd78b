/** Registration checks of the `exclusive` and `once` options (their shape; the graph checks are in ./validate). */
import type { FleetLockOptions, LifecycleOptions } from '../../decorators/metadata';
import { describeValue } from '../errors';
import { isInjectionToken } from '../tokens';

/** Longest lock key: the engines' own limit (see `lockName`). */
const MAX_KEY = 200;

/**
 * Checks `exclusive` and `once` on a registration: one of them at most, each `{ lock, key, leaseMs? }`
 * with a token, a key of 1 to 200 characters and a positive lease, on a singleton.
 *
 * @throws BandmasterError `InvalidDefinition` (through `invalid`) naming the option and the fix.
 */
export function checkFleet(name: string, o: LifecycleOptions, invalid: (service: string, detail: string) => never): void {
  if (o.exclusive === undefined && o.once === undefined) return;
  if (o.exclusive !== undefined && o.once !== undefined) {
    invalid(name, 'a service is either `exclusive` (one replica at a time) or `once` (once per fleet), not both: split it into two services');
  }
  const field = o.exclusive !== undefined ? 'exclusive' : 'once';
  const value = (o.exclusive ?? o.once) as FleetLockOptions;
  if (typeof value !== 'object' || value === null) invalid(name, `\`${field}\` must be { lock, key, leaseMs? }, got ${describeValue(value)}`);
  if (!isInjectionToken(value.lock)) invalid(name, `\`${field}.lock\` must name the registered sql or redis service that holds the lock (such as 'db'), got ${describeValue(value.lock)}`);
  if (typeof value.key !== 'string' || value.key.length === 0 || value.key.length > MAX_KEY) {
    invalid(name, `\`${field}.key\` must be a non-empty string of at most ${MAX_KEY} characters, the same on every replica, got ${describeValue(value.key)}`);
  }
  const lease = value.leaseMs;
  if (lease !== undefined && !(typeof lease === 'number' && lease >= 30 && Number.isFinite(lease))) {
    invalid(name, `\`${field}.leaseMs\` must be a number of ms >= 30, got ${describeValue(lease)}`);
  }
  if (o.scope !== undefined && o.scope !== 'singleton') invalid(name, `\`${field}\` applies to singletons: a ${o.scope} service is built on demand, never booted`);
}
