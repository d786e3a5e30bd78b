/**
 * The `exclusive` and `once` options on a registration: {@link fleetSpec} wraps a service's spec so
 * that its start goes through its lock (the lock service's client is injected into the wrapper as
 * one more argument, an implicit start-order dependency) and its stop gives the lock back. What
 * the lock does at run time is the container's {@link FleetRuntime} (./host).
 */
import type { FleetLockOptions, LifecycleOptions } from '../../decorators/metadata';
import type { ServiceSpec } from '../definition';
import { BandmasterError } from '../errors';
import { tokenKey, type DependencyToken, type InjectionToken } from '../tokens';
import { STANDBY_INSTANCE } from './standby';

/** What the container does with a fleet service's start and stop (lib/fleet/host.ts). */
export interface FleetRuntime {
  /** Starts it (runs the inner start) under its lock; an exclusive service may resolve to {@link STANDBY_INSTANCE}. */
  start(service: FleetService, client: unknown, args: unknown[], signal: AbortSignal): Promise<unknown>;
  /** Stops the inner instance, then gives the lock back. */
  stop(service: FleetService, instance: unknown, signal: AbortSignal): Promise<void>;
}

/** A fleet service: its options, the spec it wraps, and where its lock client is among the injected arguments. */
export interface FleetService {
  readonly name: string;
  readonly mode: 'exclusive' | 'once';
  readonly lock: InjectionToken;
  readonly key: string;
  readonly leaseMs: number | undefined;
  /** The registration as it would be without the option. */
  readonly inner: ServiceSpec;
  /** The index of the lock client among the wrapper's arguments. */
  readonly lockArg: number;
  /** Whether the lock client was added to the arguments (the inner service does not inject it). */
  readonly added: boolean;
  /** The container it is registered in: set once by {@link adoptFleetSpec}. */
  host: FleetRuntime | undefined;
}

/** The fleet service behind a spec, if it is one. */
export function fleetOf(spec: ServiceSpec): FleetService | undefined {
  return spec.create === fleetCreate ? (spec.provides as FleetService) : undefined;
}

/** Gives a fleet spec its container's runtime (each registration makes a fresh spec, so this runs once per spec). */
export function adoptFleetSpec(spec: ServiceSpec, host: FleetRuntime): ServiceSpec {
  const service = fleetOf(spec);
  if (service !== undefined) service.host ??= host;
  return spec;
}

/** Wraps `spec` (checked by `checkFleet`) for its `exclusive` or `once` option. */
export function fleetSpec(spec: ServiceSpec, o: LifecycleOptions): ServiceSpec {
  const mode = o.exclusive !== undefined ? 'exclusive' : 'once';
  const options = (o.exclusive ?? o.once) as FleetLockOptions;
  const lockKey = tokenKey(options.lock);
  const at = spec.depTokens.findIndex((t) => tokenKey(t as InjectionToken) === lockKey);
  let depTokens = spec.depTokens;
  let injectCount = spec.injectCount;
  let lockArg = at;
  const added = at < 0 || at >= spec.injectCount;
  if (added) {
    // the lock client joins the injected arguments (last); a `dependsOn` on it is then redundant
    const injected = spec.depTokens.slice(0, spec.injectCount);
    const rest = spec.depTokens.slice(spec.injectCount).filter((_, i) => i + spec.injectCount !== at);
    depTokens = [...injected, options.lock, ...rest] as DependencyToken[];
    lockArg = injectCount++;
  }
  const service: FleetService = { name: spec.name, mode, lock: options.lock, key: options.key, leaseMs: options.leaseMs, inner: spec, lockArg, added, host: undefined };
  return {
    ...spec,
    depTokens,
    injectCount,
    provides: service,
    create: fleetCreate,
    onStart: undefined,
    onStop: (instance, signal) => runtimeOf(service).stop(service, instance, signal),
    healthCheck: (instance, signal) => (instance === undefined || instance === STANDBY_INSTANCE ? undefined : callInner(spec, 'healthCheck', instance, signal)),
    instanceHooks: false,
  };
}

function fleetCreate(spec: ServiceSpec, args: unknown[], signal: AbortSignal): Promise<unknown> {
  const service = spec.provides as FleetService;
  const client = args[service.lockArg];
  const innerArgs = service.added ? args.slice(0, service.lockArg) : args;
  return runtimeOf(service).start(service, client, innerArgs, signal);
}

function runtimeOf(service: FleetService): FleetRuntime {
  if (service.host === undefined) throw new BandmasterError('InvalidDefinition', { service: service.name, detail: 'an exclusive or once service runs in the container it is registered in' });
  return service.host;
}

/** Calls one of the inner registration's hooks: the definition's, else the instance's. */
export function callInner(inner: ServiceSpec, name: 'onStart' | 'onStop' | 'healthCheck', instance: unknown, signal: AbortSignal): unknown {
  const own = inner[name];
  if (own) return own(instance, signal);
  if (inner.instanceHooks && typeof instance === 'object' && instance !== null) {
    const method = (instance as Record<string, unknown>)[name];
    if (typeof method === 'function') return (method as (s: AbortSignal) => unknown).call(instance, signal);
  }
  return undefined;
}

/** The inner start: construct (or call the factory) with the injected arguments, then its `onStart`. */
export async function startInner(inner: ServiceSpec, args: unknown[], signal: AbortSignal): Promise<unknown> {
  const instance = await inner.create(inner, args, signal);
  await callInner(inner, 'onStart', instance, signal);
  return instance;
}
