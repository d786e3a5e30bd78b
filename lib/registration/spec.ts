// Registration: a `@Service` class or a plain definition becomes one ServiceSpec, the record the
// graph and the lifecycle read. Its dependency list comes from ./dependencies, its options are
// checked by ./options.
import { readClassMetadata, hasServiceMetadata, type LifecycleOptions } from '../../decorators/metadata';
import type { AnyDefinition, ClassDefinition, ServiceSpec } from '../definition';
import { BandmasterError, describeValue } from '../errors';
import { fleetSpec } from '../fleet/service';
import { describeToken, isToken, tokenKey, type Constructor, type DependencyToken } from '../tokens';
import { NO_DEPS, checkDeps, checkTokens, factoryTokens, optionalFactoryDeps, optionalParams, paramTokens, type Transient } from './dependencies';
import { checkOptions, invalid, mergeLifecycle } from './options';

/**
 * Normalizes a `@Service` class or a plain definition into a {@link ServiceSpec}. `transient`
 * says which tokens name transient services already registered: those may repeat in one list.
 */
export function toSpec(input: Constructor | AnyDefinition, transient?: Transient): ServiceSpec {
  if (typeof input === 'function') return classSpec(input, undefined, true, transient);
  if (typeof input !== 'object' || input === null) {
    throw new BandmasterError('InvalidDefinition', { service: describeValue(input), detail: 'register() takes a @Service class or a definition object (an undefined class usually means a circular import)' });
  }
  return definitionSpec(input, transient);
}

/** No further keys: shared (the common case saves a list per service), never written to. */
const NO_ALIASES: ServiceSpec['aliases'] = Object.freeze([]);

/** No tags: shared, never written to. */
const NO_TAGS: ServiceSpec['tags'] = Object.freeze([]);


function definitionSpec(def: AnyDefinition, transient: Transient | undefined): ServiceSpec {
  const keys = keysOf(def.name);
  const name = nameOfKey(keys[0]!);
  checkOptions(name, def);
  const dependsOn = def.dependsOn === undefined ? NO_DEPS : checkTokens(name, def.dependsOn, false);
  if (typeof def.name === 'function' && 'useClass' in def && def.useClass === def.name) invalid(name, 'a class registered under its own name is register(TheClass); `name` names another class, such as an abstract one it implements');
  if (('useValue' in def ? 1 : 0) + ('useFactory' in def ? 1 : 0) + ('useClass' in def ? 1 : 0) > 1) {
    const kinds = (['useValue', 'useFactory', 'useClass'] as const).filter((k) => k in def);
    invalid(name, `a definition gives one of useValue, useFactory or useClass, not ${kinds.join(' and ')}`);
  }
  if ('useClass' in def) {
    // a class takes its dependencies from its constructor; a `deps` list here would be ignored
    if ('deps' in def) invalid(name, '`deps` is for useFactory; a useClass class declares its dependencies in its constructor (or @Service({ inject }))');
    return classSpec(def.useClass, def, false, transient);
  }
  if ('useFactory' in def) {
    if (typeof def.useFactory !== 'function') invalid(name, 'useFactory must be a function');
    const injected = def.deps === undefined ? NO_DEPS : factoryTokens(name, def.deps);
    if (injected.length > MAX_ARGUMENTS) {
      invalid(name, `a factory cannot receive ${injected.length} arguments (JavaScript engines take about ${MAX_ARGUMENTS}): list start-order dependencies in \`dependsOn\`, which are not passed to the factory`);
    }
    const depTokens = checkDeps(name, keys, injected, dependsOn, transient);
    const factory = def.useFactory;
    const optionalDeps = def.deps === undefined ? undefined : optionalFactoryDeps(def.deps);
    return makeSpec({ name, keys, depTokens, optionalDeps, injectCount: injected.length, options: def, hooks: def, instanceHooks: false, provides: factory, create: fromFactory });
  }
  if ('useValue' in def) {
    const value = def.useValue;
    return makeSpec({ name, keys, depTokens: checkDeps(name, keys, NO_DEPS, dependsOn, transient), optionalDeps: undefined, injectCount: 0, options: def, hooks: def, instanceHooks: false, provides: value, create: fromValue });
  }
  return invalid(name, 'a definition needs one of useValue, useFactory or useClass');
}

function classSpec(cls: Constructor, def: ClassDefinition<unknown> | undefined, decoratorRequired: boolean, transient: Transient | undefined): ServiceSpec {
  const meta = readClassMetadata(cls);
  if (!meta.service && decoratorRequired) {
    throw new BandmasterError('ServiceWithoutDecorator', {
      service: describeToken(cls),
      detail: 'add @Service() to the class, or register it as { name, useClass }',
    });
  }
  const options = mergeLifecycle(meta.service?.options, def);
  const keys = def ? keysOf(def.name) : [options.name ?? cls.name, cls];
  const name = nameOfKey(keys[0]!);
  checkOptions(name, options);
  if (def && !keys.includes(cls) && hasServiceMetadata(cls)) keys.push(cls);
  const injected = paramTokens(name, cls, meta);
  const dependsOn = checkTokens(name, [...meta.dependsOn, ...(def?.dependsOn ?? [])], false);
  const depTokens = checkDeps(name, keys, injected, dependsOn, transient);
  const optionalDeps = optionalParams(meta, injected.length);
  return makeSpec({ name, keys, depTokens, optionalDeps, injectCount: injected.length, options, hooks: def, instanceHooks: true, provides: cls, create: fromClass });
}


type Factory = (...args: unknown[]) => unknown;

/** Most arguments a call passes safely: past about 120,000, V8 overflows its stack on the spread. */
const MAX_ARGUMENTS = 65_535;

function fromFactory(spec: ServiceSpec, args: unknown[], signal: AbortSignal): unknown {
  // called unbound, as the factory always was
  const factory = spec.provides as Factory;
  // direct calls for the common arities: a spread copies the arguments into a fresh array
  switch (args.length) {
    case 0:
      return factory(signal);
    case 1:
      return factory(args[0], signal);
    case 2:
      return factory(args[0], args[1], signal);
    case 3:
      return factory(args[0], args[1], args[2], signal);
    default:
      return factory(...args, signal);
  }
}

function fromClass(spec: ServiceSpec, args: unknown[]): unknown {
  const cls = spec.provides as Constructor;
  return new cls(...args);
}

export function fromValue(spec: ServiceSpec): unknown {
  return spec.provides;
}

/** What {@link makeSpec} assembles. */
interface SpecParts {
  readonly name: string;
  /** The registry keys; the first names the service. */
  readonly keys: readonly (string | symbol | Constructor)[];
  readonly depTokens: readonly DependencyToken[];
  readonly optionalDeps: readonly number[] | undefined;
  readonly injectCount: number;
  readonly options: LifecycleOptions;
  readonly hooks: Pick<ServiceSpec, 'onStart' | 'onStop' | 'healthCheck'> | undefined;
  readonly instanceHooks: boolean;
  readonly provides: unknown;
  readonly create: ServiceSpec['create'];
}

/**
 * Every spec starts as one literal of one shape (object spreads here cost microseconds per
 * service: V8 leaves their results in slow dictionary mode), and every lifecycle step reads specs.
 * The options and hooks most services leave out are then added only when given, always in the
 * same order: an absent field reads as undefined, as the stored undefined did, and the common
 * spec keeps 7 fields (56 B) fewer per service. The shapes stay few: one per combination of
 * options a program actually uses.
 */
function makeSpec(p: SpecParts): ServiceSpec {
  const o = p.options;
  const h = p.hooks;
  const spec: Optional = {
    name: p.name,
    key: p.keys[0] as string | symbol,
    aliases: p.keys.length === 1 ? NO_ALIASES : p.keys.slice(1),
    depTokens: p.depTokens,
    injectCount: p.injectCount,
    required: o.required ?? true,
    retries: o.retries ?? 0,
    provides: p.provides,
    create: p.create,
    onStart: h?.onStart,
    onStop: h?.onStop,
    instanceHooks: p.instanceHooks,
    scope: o.scope ?? 'singleton',
    tags: o.tags === undefined || o.tags.length === 0 ? NO_TAGS : o.tags.map(tokenKey),
  };
  if (p.optionalDeps !== undefined) spec.optionalDeps = p.optionalDeps;
  if (o.backoff !== undefined) spec.backoff = o.backoff;
  if (o.startTimeout !== undefined) spec.startTimeout = o.startTimeout;
  if (o.stopTimeout !== undefined) spec.stopTimeout = o.stopTimeout;
  if (o.restart !== undefined) spec.restart = o.restart;
  if (o.healthFailures !== undefined) spec.healthFailures = o.healthFailures;
  if (h?.healthCheck !== undefined) spec.healthCheck = h.healthCheck;
  // an exclusive or once service's start is wrapped in its lock (lib/fleet/)
  return o.exclusive === undefined && o.once === undefined ? (spec as ServiceSpec) : fleetSpec(spec as ServiceSpec, o);
}

/** A spec while {@link makeSpec} builds it: the fields it may leave out are optional (and writable) here. */
type Optional = { -readonly [K in Exclude<keyof ServiceSpec, LeftOut>]: ServiceSpec[K] } & { -readonly [K in LeftOut]?: ServiceSpec[K] };
type LeftOut = 'optionalDeps' | 'backoff' | 'startTimeout' | 'stopTimeout' | 'restart' | 'healthFailures' | 'healthCheck';

/** The registry keys of a definition's `name`; the first one names the service. */
function keysOf(name: unknown): (string | symbol | Constructor)[] {
  if (typeof name === 'string' && name.length > 0) return [name];
  if (typeof name === 'function' && name.name) return [name.name, name as Constructor];
  if (typeof name === 'symbol') return [name];
  if (isToken(name)) return [name.name];
  return invalid(describeValue(name), 'a definition needs a non-empty `name`: a string, a symbol or a token');
}

/** The service name for its first key: the string itself, a symbol's description. */
function nameOfKey(key: string | symbol | Constructor): string {
  return typeof key === 'string' ? key : describeToken(key);
}

