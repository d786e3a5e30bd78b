// The argument checks and the errors the container's methods share.
import { BandmasterError, describeValue } from './errors';
import { describeToken } from './tokens';
import type { RunOptions } from './container';

/** Rejects a malformed `signal` or `timeout` instead of silently running without a limit. */
export function checkRunOptions(method: string, options: RunOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new BandmasterError('InvalidArgument', { service: method, detail: `options must be an object like { signal, timeout }, got ${String(options)}` });
  }
  const { signal, timeout } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new BandmasterError('InvalidArgument', { service: method, detail: 'signal must be an AbortSignal (new AbortController().signal, AbortSignal.timeout(ms))' });
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && !Number.isNaN(timeout))) {
    throw new BandmasterError('InvalidArgument', { service: method, detail: `timeout must be a number of ms >= 0 (Infinity for none), got ${describeValue(timeout)}` });
  }
}

/** A transient or scoped service asked of the container, which holds only singletons. */
export function notSingleton(name: string, scope: string): BandmasterError {
  return new BandmasterError('ServiceNotStarted', { service: name, detail: `it is ${scope}, built on demand: await container.createScope().resolve(token)` });
}

/** A token no registration names. */
export function unknownService(token: unknown): BandmasterError {
  return new BandmasterError('ServiceUnknown', { service: describeToken(token), detail: 'register it first, or check the name' });
}
