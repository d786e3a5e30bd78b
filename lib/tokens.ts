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

/** Anything that names a service: a class, a string, a symbol or a typed {@link Token}. */
export type InjectionToken<T = unknown> = Constructor<T> | Token<T> | string | symbol;

/** A dependency marked optional: `undefined` is injected when its service is missing or failed. Made by {@link optional}. */
export interface OptionalToken<T = unknown> {
  /** The dependency. */
  readonly token: InjectionToken<T>;
  /** Always `true`. */
  readonly optional: true;
}

/** An entry of an `inject` or `deps` list: a token, or a token marked {@link optional}. */
export type DependencyEntry<T = unknown> = InjectionToken<T> | OptionalToken<T>;

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
export type Resolved<K> = K extends Constructor<infer T> ? T : K extends Token<infer T> ? T : unknown;

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

/** The key of anything that is not a token: registered under no service, so a lookup misses. */
const NOT_A_TOKEN: unique symbol = Symbol('not a token');

/**
 * The registry key of a token: the string for strings and typed tokens (so both name the same
 * service), the symbol or class itself otherwise. A value that is not a token (`undefined`, a
 * plain `{ name }` object) gets a key no service has: callers report it with {@link checkToken}.
 */
export function tokenKey(t: InjectionToken): string | symbol | Constructor {
  if (typeof t === 'string' || typeof t === 'symbol' || typeof t === 'function') return t;
  return isToken(t) ? t.name : NOT_A_TOKEN;
}

/** A readable name for a token, for messages; total for values that are not tokens. */
export function describeToken(t: unknown): string {
  if (typeof t === 'string') return t;
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
