import { readClassMetadata, hasServiceMetadata, type LifecycleOptions, type ServiceOptions } from '../decorators/metadata';
import type { AnyDefinition, ClassDefinition, DependencySpec, FactoryDependency, ServiceSpec } from './definition';
import { BandmasterError } from './errors';
import { describeToken, isInjectionToken, isToken, tokenKey, type Constructor, type InjectionToken } from './tokens';

const AMBIGUOUS_TYPES = new Set<unknown>([Object, String, Number, Boolean, Array, Function, Promise, Symbol, BigInt]);

/** Normalizes a `@Service` class or a plain definition into a {@link ServiceSpec}. */
export function toSpec(input: Constructor | AnyDefinition): ServiceSpec {
  if (typeof input === 'function') return classSpec(input, undefined, true);
  if (typeof input !== 'object' || input === null) {
    throw new BandmasterError('InvalidDefinition', { service: String(input), detail: 'register() takes a @Service class or a definition object' });
  }
  return definitionSpec(input);
}

/** No dependencies: shared, never written to. */
const NO_DEPS: readonly DependencySpec[] = Object.freeze([]);

function definitionSpec(def: AnyDefinition): ServiceSpec {
  const keys = keysOf(def.name);
  const name = nameOfKey(keys[0]!);
  checkOptions(name, def);
  const dependsOn = def.dependsOn === undefined ? NO_DEPS : tokensToDeps(name, def.dependsOn, false);
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
    const injected = def.deps === undefined ? NO_DEPS : factoryDeps(name, def.deps);
    const deps = checkDeps(name, keys, injected, dependsOn);
    const factory = def.useFactory;
    return makeSpec({ name, keys, deps, injectCount: injected.length, options: def, hooks: def, instanceHooks: false, provides: factory, create: fromFactory });
  }
  if ('useValue' in def) {
    const value = def.useValue;
    return makeSpec({ name, keys, deps: checkDeps(name, keys, NO_DEPS, dependsOn), injectCount: 0, options: def, hooks: def, instanceHooks: false, provides: value, create: fromValue });
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
  const injected = paramDeps(name, cls, meta);
  const dependsOn = tokensToDeps(name, [...meta.dependsOn, ...(def?.dependsOn ?? [])], false);
  const deps = checkDeps(name, keys, injected, dependsOn);
  return makeSpec({ name, keys, deps, injectCount: injected.length, options, hooks: def, instanceHooks: true, useClass: cls, provides: cls, create: fromClass });
}

type Factory = (...args: unknown[]) => unknown;

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

function fromValue(spec: ServiceSpec): unknown {
  return spec.provides;
}

/** What {@link makeSpec} assembles. */
interface SpecParts {
  readonly name: string;
  readonly keys: ServiceSpec['keys'];
  readonly deps: readonly DependencySpec[];
  readonly injectCount: number;
  readonly options: LifecycleOptions;
  readonly hooks: Pick<ServiceSpec, 'onStart' | 'onStop' | 'healthCheck'> | undefined;
  readonly instanceHooks: boolean;
  readonly useClass?: Constructor;
  readonly provides: unknown;
  readonly create: ServiceSpec['create'];
}

/**
 * Every spec as one literal of one shape: object spreads here cost microseconds per service
 * (V8 leaves their results in slow dictionary mode), and every lifecycle step reads specs.
 */
function makeSpec(p: SpecParts): ServiceSpec {
  const o = p.options;
  const h = p.hooks;
  return {
    name: p.name,
    keys: p.keys,
    deps: p.deps,
    injectCount: p.injectCount,
    required: o.required ?? true,
    retries: o.retries ?? 0,
    backoff: o.backoff,
    startTimeout: o.startTimeout,
    stopTimeout: o.stopTimeout,
    provides: p.provides,
    create: p.create,
    onStart: h?.onStart,
    onStop: h?.onStop,
    healthCheck: h?.healthCheck,
    instanceHooks: p.instanceHooks,
    useClass: p.useClass,
  };
}

type ClassMeta = ReturnType<typeof readClassMetadata>;

function paramDeps(name: string, cls: Constructor, meta: ClassMeta): DependencySpec[] {
  const listed = meta.service?.options.inject;
  if (listed) return tokensToDeps(name, listed, true).map((d, i) => ({ ...d, optional: meta.optionalParams.has(i) }));
  const count = Math.max(meta.paramTypes?.length ?? 0, cls.length, ...[...meta.injectTokens.keys()].map((i) => i + 1));
  const deps: DependencySpec[] = [];
  for (let i = 0; i < count; i++) {
    const token = meta.injectTokens.get(i) ?? paramType(name, cls, meta, i);
    deps.push({ token, optional: meta.optionalParams.has(i), inject: true });
  }
  return deps;
}

function paramType(name: string, cls: Constructor, meta: ClassMeta, index: number): InjectionToken {
  if (!meta.paramTypes) {
    throw new BandmasterError('MetadataMissing', {
      service: name,
      detail: `class ${cls.name} has ${cls.length} constructor parameter(s) and no design:paramtypes for parameter ${index}. Fix: enable "emitDecoratorMetadata" and "experimentalDecorators" in tsconfig.json and compile with tsc or SWC (esbuild drops decorator metadata), and import 'reflect-metadata' first; or list the dependencies: @Service({ inject: [...] })`,
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
  return type as Constructor;
}

function factoryDeps(name: string, deps: readonly FactoryDependency[]): readonly DependencySpec[] {
  if (!Array.isArray(deps)) invalid(name, 'deps must be an array of tokens');
  const out: DependencySpec[] = new Array(deps.length);
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i];
    if (typeof d === 'object' && d !== null && !isToken(d) && 'token' in d) out[i] = toDep(name, d.token, true, d.optional === true, i);
    else out[i] = toDep(name, d as InjectionToken, true, false, i);
  }
  return out;
}

function tokensToDeps(name: string, tokens: readonly InjectionToken[], inject: boolean): DependencySpec[] {
  if (!Array.isArray(tokens)) invalid(name, `${inject ? 'deps/inject' : 'dependsOn'} must be an array of tokens`);
  return tokens.map((token, index) => toDep(name, token, inject, false, index));
}

/** One checked dependency; `index` numbers it in messages. */
function toDep(name: string, token: InjectionToken, inject: boolean, optional: boolean, index: number): DependencySpec {
  if (!isInjectionToken(token)) {
    invalid(name, `dependency ${index} is ${String(token)}: pass a class, a string, a symbol or a token (an undefined class usually means a circular import; use its name instead)`);
  }
  return { token, optional, inject };
}

function checkDeps(name: string, keys: readonly unknown[], injected: readonly DependencySpec[], dependsOn: readonly DependencySpec[]): readonly DependencySpec[] {
  checkList(name, keys, injected);
  checkList(name, keys, dependsOn);
  // both lists are made by this module (fresh, or the frozen NO_DEPS): no copy needed when one is empty
  if (dependsOn.length === 0) return injected;
  if (injected.length === 0) return dependsOn;
  return [...injected, ...dependsOn];
}

/** Lists shorter than this are checked for duplicates pairwise: cheaper than a Set per service. */
const PAIRWISE_MAX = 16;

function checkList(name: string, keys: readonly unknown[], list: readonly DependencySpec[]): void {
  const seen = list.length > PAIRWISE_MAX ? new Set<unknown>() : undefined;
  for (let i = 0; i < list.length; i++) {
    const dep = list[i]!;
    const key = tokenKey(dep.token);
    if (keys.includes(key)) throw new BandmasterError('ServiceDependsOnItself', { service: name });
    if (seen ? seen.has(key) : seenBefore(list, i, key)) throw new BandmasterError('ServiceDuplicateDependency', { service: name, dependency: describeToken(dep.token) });
    seen?.add(key);
  }
}

function seenBefore(list: readonly DependencySpec[], end: number, key: unknown): boolean {
  for (let j = 0; j < end; j++) if (tokenKey(list[j]!.token) === key) return true;
  return false;
}

/** The registry keys of a definition's `name`; the first one names the service. */
function keysOf(name: unknown): (string | symbol | Constructor)[] {
  if (typeof name === 'string' && name.length > 0) return [name];
  if (typeof name === 'symbol') return [name];
  if (isToken(name)) return [name.name];
  return invalid(String(name), 'a definition needs a non-empty `name`: a string, a symbol or a token');
}

/** The service name for its first key: the string itself, a symbol's description. */
function nameOfKey(key: string | symbol | Constructor): string {
  return typeof key === 'string' ? key : describeToken(key);
}

/** The `@Service` options, each lifecycle option overridden by the definition's where it gives one. */
function mergeLifecycle(own: ServiceOptions | undefined, def: LifecycleOptions | undefined): ServiceOptions {
  const pick = <K extends keyof LifecycleOptions>(k: K): LifecycleOptions[K] => (def !== undefined && def[k] !== undefined ? def[k] : own?.[k]);
  return { name: own?.name, required: pick('required'), retries: pick('retries'), backoff: pick('backoff'), startTimeout: pick('startTimeout'), stopTimeout: pick('stopTimeout') };
}

function checkOptions(name: string, o: LifecycleOptions): void {
  if (o.required !== undefined && typeof o.required !== 'boolean') invalid(name, '`required` must be a boolean');
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) invalid(name, `\`retries\` must be an integer >= 0, got ${String(o.retries)}`);
  for (const k of ['startTimeout', 'stopTimeout'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) invalid(name, `\`${k}\` must be a positive number of ms, got ${String(v)}`);
  }
  const b = o.backoff;
  if (b === undefined) return;
  if (typeof b === 'number') {
    if (!(b >= 0 && Number.isFinite(b))) invalid(name, `\`backoff\` must be >= 0 ms, got ${b}`);
    return;
  }
  if (typeof b !== 'object' || b === null || !(b.initial >= 0)) invalid(name, '`backoff` must be a number of ms or { initial, factor?, max?, jitter? } with initial >= 0');
  if (b.factor !== undefined && !(b.factor >= 1)) invalid(name, `\`backoff.factor\` must be >= 1, got ${b.factor}`);
  if (b.max !== undefined && !(b.max >= 0)) invalid(name, `\`backoff.max\` must be >= 0, got ${b.max}`);
  if (b.jitter !== undefined && !(b.jitter >= 0 && b.jitter <= 1)) invalid(name, `\`backoff.jitter\` must be within 0..1, got ${b.jitter}`);
}

function invalid(service: string, detail: string): never {
  throw new BandmasterError('InvalidDefinition', { service, detail });
}
