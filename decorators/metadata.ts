/// <reference types="reflect-metadata" />
import type { DependencyEntry, DependencyToken, InjectionToken, ServiceScope } from '../lib/tokens';

/**
 * Metadata keys, in one place. `Symbol.for` so that two copies of the library loaded side by side
 * (ESM and CommonJS) still read each other's metadata.
 */
export const SERVICE_OPTIONS = Symbol.for('bandmaster:service');
export const DEPENDS_ON = Symbol.for('bandmaster:depends-on');
export const INJECT_TOKENS = Symbol.for('bandmaster:inject');
export const OPTIONAL_PARAMS = Symbol.for('bandmaster:optional');
export const PARAM_TYPES = 'design:paramtypes';

/** Exponential backoff: `initial` ms, multiplied by `factor` per retry, capped at `max`, with optional jitter. */
export interface BackoffOptions {
  /** First delay in ms. */
  readonly initial: number;
  /** Multiplier per retry; default 2. */
  readonly factor?: number;
  /** Upper bound of a delay in ms; default unbounded. */
  readonly max?: number;
  /** Random spread, 0..1: a delay d becomes a value in [d*(1-jitter), d]; default 0. */
  readonly jitter?: number;
}

/** Supervision of a started service: how often a lost one is restarted (see docs/supervision.md). */
export interface RestartOptions {
  /** Supervised restarts allowed within `withinMs`; past them the service is given up (`failed`). */
  readonly maxRestarts: number;
  /** The window of `maxRestarts`, in ms. */
  readonly withinMs: number;
  /** Delay before a supervised restart in ms, doubling per restart in the window; or full {@link BackoffOptions}. Default none. */
  readonly backoff?: number | BackoffOptions;
}

/**
 * A fleet option (`exclusive` or `once`): which registered `sql` or `redis` provider service
 * coordinates the replicas, and under which key (see docs/fleet.md).
 */
export interface FleetLockOptions {
  /** The lock service: a registered `sql` (PostgreSQL advisory locks) or `redis` (leases) provider service; an implicit start-order dependency. */
  readonly lock: InjectionToken;
  /** The lock's name, shared by every replica (at most 200 characters); a Redis key name contains it. */
  readonly key: string;
  /** How long a Redis lease lasts without renewal, in ms (default 15,000); PostgreSQL locks need none. */
  readonly leaseMs?: number;
}

/** Lifecycle options shared by `@Service` and plain definitions. */
export interface LifecycleOptions {
  /** A required service that fails to start fails the boot; default true. */
  readonly required?: boolean;
  /** How many times a failed start (or stop) is retried after the first attempt; default 0. */
  readonly retries?: number;
  /** Delay before the first retry in ms, doubling per retry; or full {@link BackoffOptions}. */
  readonly backoff?: number | BackoffOptions;
  /** Time limit of one start attempt in ms (construction and `onStart`). */
  readonly startTimeout?: number;
  /** Time limit of one stop attempt in ms. */
  readonly stopTimeout?: number;
  /**
   * How long an instance lives: `'singleton'` (default: one per container, booted by `startAll`),
   * `'transient'` (a new one for every injection and every `resolve`) or `'scoped'` (one per
   * `container.createScope()`).
   */
  readonly scope?: ServiceScope;
  /** Tags the service carries: `@InjectAll(tag)`, `all(tag)` and `resolveAll(tag)` collect every service of a tag. */
  readonly tags?: readonly InjectionToken[];
  /** Restart it when it is lost (default: a loss is only reported). */
  readonly restart?: RestartOptions;
  /** Consecutive failed health polls that mark it lost; default the container's `healthFailures`. */
  readonly healthFailures?: number;
  /**
   * Runs on one replica at a time: the replica holding the lock starts it, the others keep it
   * (and its required dependents) in state `'standby'` and take over when the holder goes.
   */
  readonly exclusive?: FleetLockOptions;
  /**
   * Runs once per fleet per key: the first replica to take the lock runs its start and records the
   * key; the others wait for the record; later boots skip it. A start-order dependency only
   * (`@DependsOn`): injecting it is an `InvalidDefinition`.
   */
  readonly once?: FleetLockOptions;
}

/** Options of `@Service()`. */
export interface ServiceOptions extends LifecycleOptions {
  /** Service name; default the class name. */
  readonly name?: string;
  /**
   * Constructor dependencies in parameter order, for code compiled without decorator metadata
   * (esbuild, tsx, TC39 decorators). Takes precedence over `design:paramtypes`. Mark an entry
   * optional with `optional(token)`.
   */
  readonly inject?: readonly DependencyEntry[];
}

/** What `@Service` stores on a class. */
export interface ServiceMetadata {
  readonly options: ServiceOptions;
}

type MetadataTarget = object;

function ownMap<V>(key: symbol, target: MetadataTarget): Map<number, V> {
  let map = Reflect.getOwnMetadata(key, target) as Map<number, V> | undefined;
  if (!map) {
    map = new Map();
    Reflect.defineMetadata(key, map, target);
  }
  return map;
}

/** Records `@Inject(token)` (or `@InjectAll(tag)`, as `all(tag)`) for constructor parameter `index`. */
export function setInjectToken(target: MetadataTarget, index: number, token: DependencyToken): void {
  ownMap<DependencyToken>(INJECT_TOKENS, target).set(index, token);
}

/** Records `@Optional()` for constructor parameter `index`. */
export function setOptionalParam(target: MetadataTarget, index: number): void {
  ownMap<true>(OPTIONAL_PARAMS, target).set(index, true);
}

/** Appends `@DependsOn` tokens. */
export function addDependsOn(target: MetadataTarget, tokens: readonly InjectionToken[]): void {
  const existing = (Reflect.getOwnMetadata(DEPENDS_ON, target) as InjectionToken[] | undefined) ?? [];
  Reflect.defineMetadata(DEPENDS_ON, [...existing, ...tokens], target);
}

/** Everything the decorators wrote on a class, constructor parameters resolved through inheritance. */
export interface ClassMetadata {
  /** The class's own `@Service` (not inherited: a subclass needs its own). */
  readonly service?: ServiceMetadata;
  /** The class's own `@DependsOn` tokens. */
  readonly dependsOn: readonly InjectionToken[];
  /** `@Inject` tokens of the constructor that builds the class (its own, or its base's when it has none). */
  readonly injectTokens: ReadonlyMap<number, DependencyToken>;
  /** `@Optional` parameters of that constructor. */
  readonly optionalParams: ReadonlyMap<number, true>;
  /** `design:paramtypes` of that constructor. */
  readonly paramTypes?: readonly unknown[];
  /** `@Service({ inject })` of the class, or of the base class whose constructor it inherits. */
  readonly inject?: readonly DependencyEntry[];
  /** Declared parameters of that constructor (`Function.length`), for the missing-metadata check. */
  readonly paramCount: number;
  /** The class whose constructor parameters these are: the class itself or a base class. */
  readonly constructorOwner: MetadataTarget;
}

/**
 * Reads everything the decorators wrote on a class. A derived class without constructor metadata
 * of its own (no own constructor, so TypeScript emitted no `design:paramtypes` for it) is built
 * with the constructor of the nearest base class that has some, as in NestJS and tsyringe; with
 * metadata nowhere, the nearest base class that declares parameters sets `paramCount`, so the
 * caller reports `MetadataMissing` instead of passing `undefined`.
 */
export function readClassMetadata(target: MetadataTarget): ClassMetadata {
  const service = Reflect.getOwnMetadata(SERVICE_OPTIONS, target) as ServiceMetadata | undefined;
  const owner = constructorOwner(target);
  const ownerService = owner === target ? service : (Reflect.getOwnMetadata(SERVICE_OPTIONS, owner) as ServiceMetadata | undefined);
  return {
    service,
    dependsOn: (Reflect.getOwnMetadata(DEPENDS_ON, target) as InjectionToken[] | undefined) ?? [],
    injectTokens: (Reflect.getOwnMetadata(INJECT_TOKENS, owner) as Map<number, DependencyToken> | undefined) ?? new Map(),
    optionalParams: (Reflect.getOwnMetadata(OPTIONAL_PARAMS, owner) as Map<number, true> | undefined) ?? new Map(),
    paramTypes: Reflect.getOwnMetadata(PARAM_TYPES, owner) as unknown[] | undefined,
    inject: ownerService?.options.inject,
    paramCount: typeof owner === 'function' ? owner.length : 0,
    constructorOwner: owner,
  };
}

/** Whether the class itself says what its constructor takes. */
function hasConstructorMetadata(target: MetadataTarget): boolean {
  const service = Reflect.getOwnMetadata(SERVICE_OPTIONS, target) as ServiceMetadata | undefined;
  return (
    service?.options.inject !== undefined ||
    Reflect.hasOwnMetadata(PARAM_TYPES, target) ||
    Reflect.hasOwnMetadata(INJECT_TOKENS, target) ||
    Reflect.hasOwnMetadata(OPTIONAL_PARAMS, target)
  );
}

/**
 * The class whose constructor builds `target`: itself when it has constructor metadata or
 * declares parameters, else the nearest base class that has metadata, else the nearest one that
 * declares parameters, else itself.
 */
function constructorOwner(target: MetadataTarget): MetadataTarget {
  if (typeof target !== 'function' || hasConstructorMetadata(target) || target.length > 0) return target;
  let declaring: MetadataTarget | undefined;
  for (let base = Object.getPrototypeOf(target) as unknown; typeof base === 'function' && base !== Function.prototype; base = Object.getPrototypeOf(base)) {
    if (hasConstructorMetadata(base)) return base;
    if (declaring === undefined && base.length > 0) declaring = base;
  }
  return declaring ?? target;
}

/** Stores the `@Service` options. */
export function setServiceMetadata(target: MetadataTarget, metadata: ServiceMetadata): void {
  Reflect.defineMetadata(SERVICE_OPTIONS, metadata, target);
}

/** True when the class itself (not a parent) carries `@Service`. */
export function hasServiceMetadata(target: unknown): boolean {
  return typeof target === 'function' && Reflect.hasOwnMetadata(SERVICE_OPTIONS, target);
}
