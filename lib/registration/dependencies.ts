// A service's dependency list: constructor parameters read from reflect-metadata (or `inject`),
// a factory's `deps`, `dependsOn`; each token checked, self-dependencies and duplicates refused.
import { readClassMetadata } from '../../decorators/metadata';
import type { FactoryDependency } from '../definition';
import { BandmasterError } from '../errors';
import { badTokenDetail, describeToken, isAllToken, isInjectionToken, isToken, tokenKey, type Constructor, type DependencyToken, type InjectionToken } from '../tokens';
import { invalid } from './options';

/** Whether a token names a transient service registered already: the registry's answer. */
export type Transient = (token: InjectionToken) => boolean;

const AMBIGUOUS_TYPES = new Set<unknown>([Object, String, Number, Boolean, Array, Function, Promise, Symbol, BigInt]);

/** No dependencies: shared, never written to. */
export const NO_DEPS: readonly DependencyToken[] = Object.freeze([]);

/** Whether a dependency on `token` may repeat in one list: a transient class gives a new instance each time. */
function mayRepeat(token: DependencyToken, transient: Transient | undefined): boolean {
  if (isAllToken(token)) return false;
  if (transient?.(token)) return true;
  return typeof token === 'function' && readClassMetadata(token).service?.options.scope === 'transient';
}

type ClassMeta = ReturnType<typeof readClassMetadata>;

/** The constructor's dependency tokens, in parameter order. */
export function paramTokens(name: string, cls: Constructor, meta: ClassMeta): readonly DependencyToken[] {
  const listed = meta.inject;
  if (listed) return factoryTokens(name, listed, 'inject');
  let count = Math.max(meta.paramTypes?.length ?? 0, meta.paramCount);
  for (const i of meta.injectTokens.keys()) if (i + 1 > count) count = i + 1;
  const tokens: DependencyToken[] = [];
  for (let i = 0; i < count; i++) tokens.push(meta.injectTokens.get(i) ?? paramType(name, cls, meta, i));
  return tokens;
}

/** The `@Optional()` parameters among the first `count`, ascending; undefined when none. */
export function optionalParams(meta: ClassMeta, count: number): readonly number[] | undefined {
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

export function factoryTokens(name: string, deps: readonly FactoryDependency[], list = 'deps'): readonly DependencyToken[] {
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
export function optionalFactoryDeps(deps: readonly FactoryDependency[]): readonly number[] | undefined {
  let out: number[] | undefined;
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    if (isMarked(d) && d.optional === true) (out ??= []).push(i);
  }
  return out;
}

export function checkTokens(name: string, tokens: readonly InjectionToken[], inject: boolean): readonly InjectionToken[] {
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

export function checkDeps(name: string, keys: readonly unknown[], injected: readonly DependencyToken[], dependsOn: readonly DependencyToken[], transient: Transient | undefined): readonly DependencyToken[] {
  checkList(name, keys, injected, transient);
  checkList(name, keys, dependsOn, transient);
  // both lists are made by this module (fresh, or the frozen NO_DEPS): no copy needed when one is empty
  if (dependsOn.length === 0) return injected;
  if (injected.length === 0) return dependsOn;
  return [...injected, ...dependsOn];
}

/** Lists shorter than this are checked for duplicates pairwise: cheaper than a Set per service. */
const PAIRWISE_MAX = 16;

function checkList(name: string, keys: readonly unknown[], list: readonly DependencyToken[], transient: Transient | undefined): void {
  const seen = list.length > PAIRWISE_MAX ? new Set<unknown>() : undefined;
  for (let i = 0; i < list.length; i++) {
    const token = list[i]!;
    const key = depKey(token);
    if (keys.includes(key)) throw new BandmasterError('ServiceDependsOnItself', { service: name });
    if ((seen ? seen.has(key) : seenBefore(list, i, key)) && !mayRepeat(token, transient)) throw new BandmasterError('ServiceDuplicateDependency', { service: name, dependency: describeToken(token) });
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

