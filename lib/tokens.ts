import { BandmasterError, describeValue } from './errors';

/** Any class; the type its instances have is `T`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Constructor<T = unknown> = new (...args: any[]) => T;

declare const tokenType: unique symbol;
const TOKEN_BRAND = Symbol.for('bandmaster.token');

/**
 * A typed token: names a service and carries the type of what it resolves to.
 * `token<Redis>('rd-1')` and the string `'rd-1'` name the same service.
 */
export interface Token<T> {
  /** The service name the token stands for. */
  readonly name: string;
  /** Carries `T` for the type checker; never set. */
  readonly [tokenType]?: T;
}

/** A class that may be abstract: a token for what an implementation registered under it gives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AbstractConstructor<T = unknown> = abstract new (...args: any[]) => T;

/** Anything that names a service: a class (abstract ones too), a string, a symbol or a typed {@link Token}. */
export type InjectionToken<T = unknown> = Constructor<T> | AbstractConstructor<T> | Token<T> | string | symbol;

/** A dependency marked optional: `undefined` is injected when its service is missing or failed. Made by {@link optional}. */
export interface OptionalToken<T = unknown> {
  /** The dependency. */
  readonly token: InjectionToken<T>;
  /** Always `true`. */
  readonly optional: true;
}

/** Every service tagged `tag`, injected as an array in registration order. Made by {@link all}. */
export interface AllToken<T = unknown> {
  /** The tag: the token given in the services' `tags`. */
  readonly tag: InjectionToken<T>;
  /** Always `true`. */
  readonly all: true;
}

/** An entry of an `inject` or `deps` list: a token, a token marked {@link optional}, or {@link all}`(tag)`. */
export type DependencyEntry<T = unknown> = InjectionToken<T> | OptionalToken<T> | AllToken<T>;

/** A dependency as a registration keeps it: a token, or every service of a tag. */
export type DependencyToken = InjectionToken | AllToken;

/** How long an instance lives: one per container (default), one per injection, one per {@link Scope}. */
export type ServiceScope = 'singleton' | 'transient' | 'scoped';

const ALL_BRAND = Symbol.for('bandmaster.all');
/** One `all(tag)` per tag key: the same tag gives the same object, so a list names it once. */
const allTokens = new Map<unknown, AllToken>();

/**
 * Injects every service tagged `tag` (`@Service({ tags: [tag] })`, definitions' `tags`) as an
 * array, in registration order: the entry of an `inject` or `deps` list that `@InjectAll(tag)`
 * is for a parameter. A dependent waits for all of them; an empty tag gives `[]`.
 *
 * @throws BandmasterError `InvalidArgument` when `tag` is not a token.
 * @example
 * ```ts
 * @Service({ inject: [all(PLUGIN)] })
 * class Host {
 *   constructor(readonly plugins: Plugin[]) {}
 * }
 * ```
 */
export function all<T>(tag: InjectionToken<T>): AllToken<T> {
  checkToken(tag, 'all()', 'tag');
  const key = tokenKey(tag);
  let made = allTokens.get(key);
  if (!made) allTokens.set(key, (made = Object.freeze({ tag, all: true as const, [ALL_BRAND]: true, toString: () => `all(${describeToken(tag)})` }) as AllToken));
  return made as AllToken<T>;
}

/** True when `value` was made by {@link all}. */
export function isAllToken(value: unknown): value is AllToken {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[ALL_BRAND] === true;
  } catch {
    return false;
  }
}

/**
 * Marks an entry of `@Service({ inject: [...] })` (or of a factory's `deps`) optional, as
 * `@Optional()` marks a constructor parameter: the service starts anyway and receives `undefined`
 * when that dependency is not registered or failed to start.
 *
 * @throws BandmasterError `InvalidArgument` when `token` is not a token.
 * @example
 * ```ts
 * @Service({ inject: [UserRepo, optional('audit')] })
 * class Users {
 *   constructor(readonly repo: UserRepo, readonly audit?: AuditLog) {}
 * }
 * ```
 */
export function optional<T>(token: InjectionToken<T>): OptionalToken<T> {
  checkToken(token, 'optional()');
  return Object.freeze({ token, optional: true as const });
}

/** The type a token resolves to. */
export type Resolved<K> = K extends AbstractConstructor<infer T> ? T : K extends Token<infer T> ? T : unknown;

/**
 * Creates a typed token.
 *
 * @example
 * ```ts
 * const REDIS = token<Redis>('rd-1');
 * const client = container.resolve(REDIS); // typed as Redis
 * ```
 */
export function token<T>(name: string): Token<T> {
  return Object.freeze({ name, [TOKEN_BRAND]: true, toString: () => `token(${name})` });
}

/** True when `value` was made by {@link token}. */
export function isToken(value: unknown): value is Token<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[TOKEN_BRAND] === true;
  } catch {
    // a revoked proxy
    return false;
  }
}

/** True for any value that can be used as an {@link InjectionToken}. */
export function isInjectionToken(value: unknown): value is InjectionToken {
  return typeof value === 'string' || typeof value === 'symbol' || typeof value === 'function' || isToken(value);
}

/** What the container itself provides, by the class that names it: `Container` and `Scope`. */
const builtins = new Map<unknown, 'container' | 'scope'>();

/** Makes `cls` a token the container provides itself (its own class, and the scope's). Internal. */
export function registerBuiltin(cls: AbstractConstructor, what: 'container' | 'scope'): void {
  builtins.set(cls, what);
}

/** `'container'` or `'scope'` when `t` is one of the classes the container provides itself. */
export function builtinOf(t: unknown): 'container' | 'scope' | undefined {
  return typeof t === 'function' ? builtins.get(t) : undefined;
}

/** The key of anything that is not a token: registered under no service, so a lookup misses. */
const NOT_A_TOKEN: unique symbol = Symbol('not a token');

/**
 * The registry key of a token: the string for strings and typed tokens (so both name the same
 * service), the symbol or class itself otherwise. A value that is not a token (`undefined`, a
 * plain `{ name }` object) gets a key no service has: callers report it with {@link checkToken}.
 */
export function tokenKey(t: InjectionToken): string | symbol | Constructor {
  if (typeof t === 'string' || typeof t === 'symbol') return t;
  if (typeof t === 'function') return t as Constructor;
  return isToken(t) ? t.name : NOT_A_TOKEN;
}

/** A readable name for a token, for messages; total for values that are not tokens. */
export function describeToken(t: unknown): string {
  if (typeof t === 'string') return t;
  if (isAllToken(t)) return `all(${describeToken(t.tag)})`;
  if (typeof t === 'symbol') return t.description ?? 'Symbol()';
  if (typeof t === 'function') return t.name || '<anonymous class>';
  if (isToken(t)) return t.name;
  return describeValue(t);
}

/**
 * Throws `InvalidArgument` when `value` is not an {@link InjectionToken}, naming the method, the
 * argument and the likely fix (an `undefined` class is usually one lost to a circular import).
 *
 * @throws BandmasterError `InvalidArgument`.
 */
export function checkToken(value: unknown, method: string, argument = 'token'): asserts value is InjectionToken {
  if (!isInjectionToken(value)) throw new BandmasterError('InvalidArgument', { service: method, argument, detail: badTokenDetail(value) });
}

/** Why `value` is not a token, and what to pass instead. */
export function badTokenDetail(value: unknown): string {
  const kinds = 'a token is a class, a string, a symbol or token<T>(name)';
  if (value === undefined || value === null) {
    return `got ${String(value)}: ${kinds}; a class is ${String(value)} where it is used when it sits in a circular import (a.ts imports b.ts imports a.ts): break the cycle, or name the service with a string or token()`;
  }
  const name = typeof value === 'object' ? readName(value) : undefined;
  if (typeof name === 'string') {
    return `got a plain object ${describeValue(value)}, which is not a token: pass the string ${describeValue(name)} or token<T>(${describeValue(name)})`;
  }
  return `got ${describeValue(value)}: ${kinds}`;
}

function readName(value: object): unknown {
  try {
    return (value as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
