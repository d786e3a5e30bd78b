/**
 * Makes the client's `method` (its close or shutdown) report the client lost when the
 * application's code calls it while the service is started: a client closed by the user's own
 * code counts as closed for good. The original method runs as before, with the caller's
 * arguments; the provider's own stop must make `isStarted()` false before it calls the method.
 *
 * @internal
 * @throws TypeError when `client[method]` is not a function (a provider bug).
 * @example
 * ```ts
 * reportClosedByCode(client, 'close', () => started.has(client), lost, () => new Error('closed by the application'));
 * ```
 */
export function reportClosedByCode(client: object, method: string, isStarted: () => boolean, lost: (error: unknown) => void, error: () => Error): void {
  const original = (client as Record<string, unknown>)[method];
  if (typeof original !== 'function') throw new TypeError(`the client has no ${method}() to watch`);
  Object.defineProperty(client, method, {
    configurable: true,
    writable: true,
    value: (...args: unknown[]): unknown => {
      if (isStarted()) lost(error());
      return (original as (...a: unknown[]) => unknown).apply(client, args);
    },
  });
}
