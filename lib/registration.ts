import { readClassMetadata, hasServiceMetadata, type LifecycleOptions, type ServiceOptions } from '../decorators/metadata';
import type { AnyDefinition, ClassDefinition, FactoryDependency, ServiceSpec } from './definition';
import { BandmasterError, describeValue } from './errors';
import { checkSupervision } from './supervision/options';
import { checkFleet } from './fleet/options';
import { fleetSpec } from './fleet/service';
import { badTokenDetail, describeToken, isAllToken, isInjectionToken, isToken, tokenKey, type Constructor, type DependencyToken, type InjectionToken } from './tokens';

const AMBIGUOUS_TYPES = new Set<unknown>([Object, String, Number, Boolean, Array, Function, Promise, Symbol, BigInt]);

/** Whether a token names a transient service registered already: the registry's answer, during one {@link toSpec}. */
let isTransient: ((token: InjectionToken) => boolean) | undefined;

/**
 * Normalizes a `@Service` class or a plain definition into a {@link ServiceSpec}. `transient`
 * says which tokens name transient services already registered: those may repeat in one list.
 */
export function toSpec(input: Constructor | AnyDefinition, transient?: (token: InjectionToken) => boolean): ServiceSpec {
  if (typeof input === 'function') return withTransient(transient, () => classSpec(input, undefined, true));
  if (typeof input !== 'object' || input === null) {
    throw new BandmasterError('InvalidDefinition', { service: describeValue(input), detail: 'register() takes a @Service class or a definition object (an undefined class usually means a circular import)' });
  }
  return withTransient(transient, () => definitionSpec(input));
}

function withTransient(transient: ((token: InjectionToken) => boolean) | undefined, make: () => ServiceSpec): ServiceSpec {
  if (transient === undefined) return make();
  isTransient = transient;
  try {
    return make();
  } finally {
    isTransient = undefined;
  }
}

/** No further keys: shared (the common case saves a list per service), never written to. */
const NO_ALIASES: ServiceSpec['aliases'] = Object.freeze([]);

/** No dependencies: shared, never written to. */
const NO_DEPS: readonly DependencyToken[] = Object.freeze([]);

/** No tags: shared, never written to. */
const NO_TAGS: ServiceSpec['tags'] = Object.freeze([]);

const SCOPES: readonly unknown[] = ['singleton', 'transient', 'scoped'];

function definitionSpec(def: AnyDefinition): ServiceSpec {
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
    return classSpec(def.useClass, def, false);
  }
  if ('useFactory' in def) {
    if (typeof def.useFactory !== 'function') invalid(name, 'useFactory must be a function');
    const injected = def.deps === undefined ? NO_DEPS : factoryTokens(name, def.deps);
    if (injected.length > MAX_ARGUMENTS) {
      invalid(name, `a factory cannot receive ${injected.length} arguments (JavaScript engines take about ${MAX_ARGUMENTS}): list start-order dependencies in \`dependsOn\`, which are not passed to the factory`);
    }
    const depTokens = checkDeps(name, keys, injected, dependsOn);
    const factory = def.useFactory;
    const optionalDeps = def.deps === undefined ? undefined : optionalFactoryDeps(def.deps);
    return makeSpec({ name, keys, depTokens, optionalDeps, injectCount: injected.length, options: def, hooks: def, instanceHooks: false, provides: factory, create: fromFactory });
  }
  if ('useValue' in def) {
    const value = def.useValue;
    return makeSpec({ name, keys, depTokens: checkDeps(name, keys, NO_DEPS, dependsOn), optionalDeps: undefined, injectCount: 0, options: def, hooks: def, instanceHooks: false, provides: value, create: fromValue });
  }
  return invalid(name, 'a definition needs one of useValue, useFactory or useClass');
}

function classSpec(cls: Constructor, def: ClassDefinition<unknown> | undefined, decoratorRequired: boolean): ServiceSpec {
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
  const depTokens = checkDeps(name, keys, injected, dependsOn);
  const optionalDeps = optionalParams(meta, injected.length);
  return makeSpec({ name, keys, depTokens, optionalDeps, injectCount: injected.length, options, hooks: def, instanceHooks: true, provides: cls, create: fromClass });
}

/** Whether a dependency on `token` may repeat in one list: a transient class gives a new instance each time. */
function mayRepeat(token: DependencyToken): boolean {
  if (isAllToken(token)) return false;
  if (isTransient?.(token)) return true;
  return typeof token === 'function' && readClassMetadata(token).service?.options.scope === 'transient';
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

type ClassMeta = ReturnType<typeof readClassMetadata>;

/** The constructor's dependency tokens, in parameter order. */
function paramTokens(name: string, cls: Constructor, meta: ClassMeta): readonly DependencyToken[] {
  const listed = meta.inject;
  if (listed) return factoryTokens(name, listed, 'inject');
  let count = Math.max(meta.paramTypes?.length ?? 0, meta.paramCount);
  for (const i of meta.injectTokens.keys()) if (i + 1 > count) count = i + 1;
  const tokens: DependencyToken[] = [];
  for (let i = 0; i < count; i++) tokens.push(meta.injectTokens.get(i) ?? paramType(name, cls, meta, i));
  return tokens;
}

/** The `@Optional()` parameters among the first `count`, ascending; undefined when none. */
function optionalParams(meta: ClassMeta, count: number): readonly number[] | undefined {
  const listed = meta.inject ? optionalFactoryDeps(meta.inject) : undefined;
  if (meta.optionalParams.size === 0) return listed;
  // optional(token) in the inject list and @Optional() on the parameter both count
  const out = [...new Set([...(listed ?? []), ...meta.optionalParams.keys()])].filter((i) => i < count).sort((a, b) => a - b);
  return out.length > 0 ? out : undefined;
}

function paramType(name: string, cls: Constructor, meta: ClassMeta, index: number): InjectionToken {
  if (!meta.paramTypes) {
    throw new BandmasterError('MetadataMissing', {
      service: name,
      detail: `class ${cls.name} has ${meta.paramCount} constructor parameter(s)${inheritedFrom(cls, meta)} and no design:paramtypes for parameter ${index}. Fix: enable "emitDecoratorMetadata" and "experimentalDecorators" in tsconfig.json and compile with tsc or SWC (esbuild drops decorator metadata), and import 'reflect-metadata' first; or list the dependencies: @Service({ inject: [...] })`,
    });
  }
  const type = meta.paramTypes[index];
  if (type === undefined) {
    throw new BandmasterError('MetadataMissing', {
      service: name,
      detail: `the type of constructor parameter ${index} of ${cls.name} was undefined when the class was decorated (a circular import?). Fix: name it with @Inject('service-name')`,
    });
  }
  if (AMBIGUOUS_TYPES.has(type) || typeof type !== 'function') {
    throw new BandmasterError('MetadataMissing', {
      service: name,
      detail: `constructor parameter ${index} of ${cls.name} has type ${describeToken(type)} (an interface, a union, a primitive or any), which names no service. Fix: name its token with @Inject(...)`,
    });
  }
  return type;
}

/** ` (inherited from Base)` when the constructor is a base class's. */
function inheritedFrom(cls: Constructor, meta: ClassMeta): string {
  const owner = meta.constructorOwner;
  return owner !== cls && typeof owner === 'function' ? ` (inherited from ${owner.name || 'an anonymous base class'})` : '';
}

/** A `{ token, optional }` entry of a factory's `deps`. */
function isMarked(d: FactoryDependency): d is Extract<FactoryDependency, { readonly optional: true }> {
  if (typeof d !== 'object' || d === null || isToken(d) || isAllToken(d)) return false;
  try {
    return 'token' in d;
  } catch {
    // a revoked proxy: not a token either, reported as such
    return false;
  }
}

function factoryTokens(name: string, deps: readonly FactoryDependency[], list = 'deps'): readonly DependencyToken[] {
  if (!Array.isArray(deps)) invalid(name, `${list} must be an array of tokens`);
  const out: DependencyToken[] = new Array(deps.length);
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    const t = isMarked(d) ? d.token : d;
    out[i] = isAllToken(t) ? t : checkToken(name, t, i);
  }
  return out;
}

/** The indices of the factory dependencies marked optional, ascending; undefined when none (the common case). */
function optionalFactoryDeps(deps: readonly FactoryDependency[]): readonly number[] | undefined {
  let out: number[] | undefined;
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    if (isMarked(d) && d.optional === true) (out ??= []).push(i);
  }
  return out;
}

function checkTokens(name: string, tokens: readonly InjectionToken[], inject: boolean): readonly InjectionToken[] {
  if (!Array.isArray(tokens)) invalid(name, `${inject ? 'deps/inject' : 'dependsOn'} must be an array of tokens`);
  return tokens.map((token, index) => checkToken(name, token, index));
}

/** One checked dependency token; `index` numbers it in messages. */
function checkToken(name: string, token: InjectionToken, index: number): InjectionToken {
  if (!isInjectionToken(token)) {
    invalid(name, `dependency ${index}: ${badTokenDetail(token)}`);
  }
  return token;
}

function checkDeps(name: string, keys: readonly unknown[], injected: readonly DependencyToken[], dependsOn: readonly DependencyToken[]): readonly DependencyToken[] {
  checkList(name, keys, injected);
  checkList(name, keys, dependsOn);
  // both lists are made by this module (fresh, or the frozen NO_DEPS): no copy needed when one is empty
  if (dependsOn.length === 0) return injected;
  if (injected.length === 0) return dependsOn;
  return [...injected, ...dependsOn];
}

/** Lists shorter than this are checked for duplicates pairwise: cheaper than a Set per service. */
const PAIRWISE_MAX = 16;

function checkList(name: string, keys: readonly unknown[], list: readonly DependencyToken[]): void {
  const seen = list.length > PAIRWISE_MAX ? new Set<unknown>() : undefined;
  for (let i = 0; i < list.length; i++) {
    const token = list[i]!;
    const key = depKey(token);
    if (keys.includes(key)) throw new BandmasterError('ServiceDependsOnItself', { service: name });
    if ((seen ? seen.has(key) : seenBefore(list, i, key)) && !mayRepeat(token)) throw new BandmasterError('ServiceDuplicateDependency', { service: name, dependency: describeToken(token) });
    seen?.add(key);
  }
}

/** The key a dependency is compared by: its token's key, or the (one per tag) `all(tag)` itself. */
function depKey(token: DependencyToken): unknown {
  return isAllToken(token) ? token : tokenKey(token);
}

function seenBefore(list: readonly DependencyToken[], end: number, key: unknown): boolean {
  for (let j = 0; j < end; j++) if (depKey(list[j]!) === key) return true;
  return false;
}

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

/** The `@Service` options, each lifecycle option overridden by the definition's where it gives one. */
function mergeLifecycle(own: ServiceOptions | undefined, def: LifecycleOptions | undefined): ServiceOptions {
  const pick = <K extends keyof LifecycleOptions>(k: K): LifecycleOptions[K] => (def !== undefined && def[k] !== undefined ? def[k] : own?.[k]);
  return { name: own?.name, required: pick('required'), retries: pick('retries'), backoff: pick('backoff'), startTimeout: pick('startTimeout'), stopTimeout: pick('stopTimeout'), scope: pick('scope'), tags: pick('tags'), restart: pick('restart'), healthFailures: pick('healthFailures'), exclusive: pick('exclusive'), once: pick('once') };
}

function checkOptions(name: string, o: LifecycleOptions): void {
  if (o.required !== undefined && typeof o.required !== 'boolean') invalid(name, '`required` must be a boolean');
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) invalid(name, `\`retries\` must be an integer >= 0, got ${describeValue(o.retries)}`);
  for (const k of ['startTimeout', 'stopTimeout'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) invalid(name, `\`${k}\` must be a positive number of ms, got ${describeValue(v)}`);
  }
  if (o.scope !== undefined && !SCOPES.includes(o.scope)) invalid(name, `\`scope\` must be 'singleton', 'transient' or 'scoped', got ${describeValue(o.scope)}`);
  if (o.tags !== undefined && !(Array.isArray(o.tags) && o.tags.every(isInjectionToken))) invalid(name, '`tags` must be an array of tokens (classes, strings, symbols or token<T>(name))');
  checkSupervision(name, o, invalid, checkBackoff);
  checkFleet(name, o, invalid);
  checkBackoff(name, o.backoff, 'backoff');
}

/** Checks a backoff option named `field` (`backoff`, `restart.backoff`). */
function checkBackoff(name: string, b: LifecycleOptions['backoff'], field: string): void {
  if (b === undefined) return;
  if (typeof b === 'number') {
    if (!(b >= 0 && Number.isFinite(b))) invalid(name, `\`${field}\` must be >= 0 ms, got ${b}`);
    return;
  }
  if (typeof b !== 'object' || b === null || !(b.initial >= 0)) invalid(name, `\`${field}\` must be a number of ms or { initial, factor?, max?, jitter? } with initial >= 0`);
  if (b.factor !== undefined && !(b.factor >= 1)) invalid(name, `\`${field}.factor\` must be >= 1, got ${b.factor}`);
  if (b.max !== undefined && !(b.max >= 0)) invalid(name, `\`${field}.max\` must be >= 0, got ${b.max}`);
  if (b.jitter !== undefined && !(b.jitter >= 0 && b.jitter <= 1)) invalid(name, `\`${field}.jitter\` must be within 0..1, got ${b.jitter}`);
}

function invalid(service: string, detail: string): never {
  throw new BandmasterError('InvalidDefinition', { service, detail });
}
