// The argument checks and the errors the container's methods share.
import { BandmasterError, describeValue } from './errors';
import { checkToken, describeToken, type InjectionToken } from './tokens';
import type { ServiceNode } from './lifecycle/node';
import type { RunOptions } from './lifecycle/runs';
import type { Registry } from './registry';

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

/** Rejects a `startWarningMs` of `new Container()` that is neither a number of ms > 0 nor `false` (undefined: the default). */
export function checkStartWarningMs(warnAfter: unknown): void {
  if (warnAfter !== undefined && warnAfter !== false && !(typeof warnAfter === 'number' && warnAfter > 0)) {
    throw new BandmasterError('InvalidArgument', { service: 'new Container()', detail: `startWarningMs must be a number of ms > 0, or false for no warning, got ${describeValue(warnAfter)}` });
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

/**
 * The singleton a token names.
 *
 * @throws BandmasterError `ServiceNotStarted` for a transient or scoped service, `ServiceUnknown` when no registration names it.
 */
export function singletonNode(registry: Registry, token: InjectionToken): ServiceNode {
  const code = registry.indexOf(token);
  if (code <= -2) throw notSingleton(registry.specAt(code).name, registry.specAt(code).scope);
  const node = registry.lookup(token);
  if (!node) throw unknownService(token);
  return node;
}

/** Throws why `resolve(token)` has no started instance: not a token, not a singleton, not registered, or not started. */
export function resolveFailed(registry: Registry, token: InjectionToken): never {
  checkToken(token, 'resolve()');
  const node = singletonNode(registry, token);
  throw new BandmasterError('ServiceNotStarted', { service: node.name, detail: `it is ${node.state}; await container.startAll(), start(token) or ready(token) first` });
}

/** What `ready(token)` rejects with when no singleton answers `token`: `InvalidArgument` (not a token), else `ServiceUnknown`. */
export function notReady(token: InjectionToken): unknown {
  try {
    checkToken(token, 'ready()');
  } catch (error) {
    return error;
  }
  return unknownService(token);
}
