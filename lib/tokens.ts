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
  return Object.freeze({ name, [TOKEN_BRAND]: true, toString: () => `token(${name})` }) as Token<T>;
}

/** True when `value` was made by {@link token}. */
export function isToken(value: unknown): value is Token<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TOKEN_BRAND] === true;
}

/** True for any value that can be used as an {@link InjectionToken}. */
export function isInjectionToken(value: unknown): value is InjectionToken {
  return typeof value === 'string' || typeof value === 'symbol' || typeof value === 'function' || isToken(value);
}

/**
 * The registry key of a token: the string for strings and typed tokens (so both name the same
 * service), the symbol or class itself otherwise.
 */
export function tokenKey(t: InjectionToken): string | symbol | Constructor {
  if (typeof t === 'string' || typeof t === 'symbol' || typeof t === 'function') return t;
  return t.name;
}

/** A readable name for a token, for messages. */
export function describeToken(t: unknown): string {
  if (typeof t === 'string') return t;
  if (typeof t === 'symbol') return t.description ?? 'Symbol()';
  if (typeof t === 'function') return t.name || '<anonymous class>';
  if (isToken(t)) return t.name;
  return String(t);
}
