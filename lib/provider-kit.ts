// What a provider's hooks use besides defineProvider: loading its client library (an optional
// peer), abortable waits, and the one way to tell and report network errors. Re-exported by
// ./provider and the package's main entry.
import { maskValue } from './config/mask';
import { BandmasterError, describeCause } from './errors';
import { onAbort as onAbortOf, raceAbort } from './lifecycle/retry';

const peers = new Map<string, unknown>();

/**
 * Loads a provider's client library, which is an optional peer dependency. Runs `require` once
 * per package: later calls return the cached module.
 *
 * @throws BandmasterError `InvalidDefinition` naming the package to install.
 */
export function loadPeer<M>(pkg: string, provider: string): M {
  if (peers.has(pkg)) return peers.get(pkg) as M;
  let loaded: M;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(pkg) as M;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new BandmasterError('InvalidDefinition', {
      service: provider,
      detail: `the ${provider} provider needs the ${pkg} package: npm install ${pkg}`,
      cause: err,
    });
  }
  peers.set(pkg, loaded);
  return loaded;
}

/**
 * Settles like `work`, unless `signal` aborts first: then `onAbort` runs (destroy the half-open
 * client) and the promise rejects with the abort reason.
 */
export function abortable<R>(work: Promise<R>, signal: AbortSignal, onAbort: () => void): Promise<R> {
  if (signal.aborted) {
    onAbort();
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  // registered before raceAbort's own listener: the client is torn down before the rejection
  const off = onAbortOf(signal, onAbort);
  const result = raceAbort(work, signal);
  result.then(off, off);
  return result;
}

/** Error codes (and names) that mean the server could not be reached, whatever the client library. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'EPIPE',
  'ECONNABORTED',
]);

/**
 * Whether `err` (or an error in its cause chain, `chainedError`, or an `AggregateError`'s errors)
 * says the server could not be reached: a socket code such as `ECONNREFUSED`, or what the client
 * library's own predicate `also` recognises (its connection error names, codes or messages).
 */
export function isNetworkError(err: unknown, also?: (error: { code?: unknown; name?: unknown; message?: unknown }) => boolean): boolean {
  return networkIn(err, also, 0);
}

function networkIn(err: unknown, also: ((error: { code?: unknown; name?: unknown; message?: unknown }) => boolean) | undefined, depth: number): boolean {
  if (depth > 8 || typeof err !== 'object' || err === null) return false;
  const fields = safeFields(err);
  if (typeof fields.code === 'string' && NETWORK_CODES.has(fields.code)) return true;
  try {
    if (also?.(fields)) return true;
  } catch {
    // a predicate that cannot read this error does not recognise it
  }
  if (Array.isArray(fields.errors) && fields.errors.some((e) => networkIn(e, also, depth + 1))) return true;
  for (const inner of [fields.cause, fields.chainedError]) if (inner !== undefined && inner !== err && networkIn(inner, also, depth + 1)) return true;
  return false;
}

function safeFields(err: object): { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown; chainedError?: unknown } {
  try {
    const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown; chainedError?: unknown };
    return { code: e.code, name: e.name, message: e.message, cause: e.cause, errors: e.errors, chainedError: e.chainedError };
  } catch {
    return {};
  }
}

/** An error for an unreachable server that names host and port, keeping the client's error as cause. */
export function unreachable(provider: string, address: string, cause: unknown): Error {
  return new Error(`${provider} at ${String(maskValue(address))} is unreachable: ${describeCause(cause)}`, { cause });
}

/**
 * The one place a provider turns a client library's error into its own: `<provider> at <address>
 * is unreachable: ...` for network errors ({@link isNetworkError}), `<provider> at <address>: ...`
 * otherwise. With `keepCause: false` the cause is a plain copy carrying only name, message and
 * code (for libraries whose errors hold command arguments, such as AUTH passwords).
 */
export function networkError(
  provider: string,
  address: string,
  err: unknown,
  options: { keepCause?: boolean; also?: (error: { code?: unknown; name?: unknown; message?: unknown }) => boolean } = {},
): Error {
  let cause = err;
  if (options.keepCause === false) {
    const clean = new Error(String(maskValue(describeCause(err))));
    const { code, name } = typeof err === 'object' && err !== null ? safeFields(err) : {};
    if (typeof name === 'string') clean.name = name;
    if (typeof code === 'string') Object.assign(clean, { code });
    cause = clean;
  }
  const where = String(maskValue(address));
  if (isNetworkError(err, options.also)) return unreachable(provider, where, cause);
  return new Error(`${provider} at ${where}: ${String(maskValue(describeCause(cause)))}`, { cause });
}

/** A start step that did not answer in time, naming the server: `redis at 10.0.0.5:6379 did not answer within 5000ms`. */
export function connectTimedOut(provider: string, address: string, ms: number): Error {
  const err = new Error(`${provider} at ${String(maskValue(address))} did not answer within ${ms}ms (connect deadline; raise connectTimeout if the server is slow)`);
  err.name = 'TimeoutError';
  return err;
}
