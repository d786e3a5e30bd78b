import { BandmasterError, ShutdownError } from '../errors';
import { isThenable } from '../lifecycle/retry';
import { checkToken, describeToken, registerBuiltin, tokenKey, type InjectionToken } from '../tokens';
import { slotValue, tagged, type BuildContext, type BuildHost } from './build';
import { stopCreated } from './dispose';
import { PROVIDED, slotOf } from './plan';

/** What a scope needs from the container that made it. */
export interface ScopeOwner extends BuildHost {
  /** Checks the registrations (once per version) before anything is built; throws once the container is stopping. */
  prepare(): void;
  /** Forgets a disposed scope. */
  closed(ctx: BuildContext): void;
  /** A report for a failed disposal's `ShutdownError`. */
  report(errors: BandmasterError[], durationMs: number): ShutdownError;
}

declare global {
  interface SymbolConstructor {
    /**
     * The well-known symbol of `await using` (Node has it); declared again for programs whose
     * TypeScript `lib` predates it and that load no Node types, as Node's own types declare it.
     */
    readonly asyncDispose: unique symbol;
  }
}

const NEVER = new AbortController().signal;
const DONE: Promise<void> = Promise.resolve();

/**
 * A unit of work with its own instances: one per request, job or message. Made by
 * `container.createScope()`; scoped services get one instance per scope, transient ones one per
 * injection, and both see the container's started singletons and the scope's provided values.
 * `dispose()` stops what the scope built, in reverse creation order, once.
 *
 * @example
 * ```ts
 * await using scope = container.createScope();
 * scope.provide(REQUEST, req);
 * const ctx = await scope.resolve(RequestContext);
 * ```
 */
export class Scope {
  readonly #ctx: BuildContext;
  readonly #owner: ScopeOwner;
  #disposed: Promise<void> | undefined = undefined;

  /** @internal Made by `container.createScope()`. */
  constructor(owner: ScopeOwner) {
    this.#owner = owner;
    this.#ctx = { host: owner, scope: this, provided: undefined, cache: undefined, created: [], slot: -1 };
  }

  /** True once `dispose()` was called. */
  get disposed(): boolean {
    return this.#disposed !== undefined;
  }

  /**
   * Gives the scope a value for `token` (a request, a user, a transaction): services built in it
   * that depend on `token` receive it, before any registration of that token.
   *
   * @throws BandmasterError `InvalidArgument` when `token` is not a token or the scope is disposed.
   */
  provide<T>(token: InjectionToken<T>, value: T): this {
    checkToken(token, 'scope.provide()');
    if (this.#disposed) throw disposedError('scope.provide()');
    (this.#ctx.provided ??= new Map()).set(tokenKey(token), value);
    return this;
  }

  /**
   * The instance a token gives in this scope: the started singleton, the scope's one instance of
   * a scoped service, a new transient instance, or a provided value; built with its dependencies,
   * its `onStart` awaited (bounded by its `startTimeout`).
   *
   * @throws BandmasterError (as rejections) `ServiceUnknown`, `DependencyMissing` (a dependency no
   * registration and no `provide` gives), `ServiceStartFailure`, `DependencyUnavailable`,
   * `ServiceNotStarted`, `DependencyCircular`, `InvalidArgument` (not a token, or disposed).
   */
  resolve<T = unknown>(token: InjectionToken<T>): Promise<T> {
    try {
      const value = this.#value(token);
      return (isThenable(value) ? value : Promise.resolve(value)) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Every service tagged `tag`, in registration order: started singletons, this scope's scoped
   * instances, new transient ones. Optional members that are not started are left out; `[]` for
   * an empty tag.
   *
   * @throws BandmasterError as {@link Scope.resolve} does (as rejections).
   */
  resolveAll<T = unknown>(tag: InjectionToken<T>): Promise<T[]> {
    try {
      checkToken(tag, 'scope.resolveAll()', 'tag');
      this.#check('scope.resolveAll()');
      return Promise.resolve(tagged(this.#ctx, tokenKey(tag), 'scope.resolveAll()') as T[] | Promise<T[]>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Stops what this scope built (`onStop`, else `[Symbol.asyncDispose]`), in reverse creation
   * order, one at a time, once: later calls share the first one's outcome.
   *
   * @throws ShutdownError (as a rejection) holding a `ServiceStopFailure` per instance that failed to stop.
   */
  dispose(): Promise<void> {
    if (this.#disposed) return this.#disposed;
    if (this.#building()) return (this.#disposed = this.#dispose(NEVER));
    // the common case, nothing whose stop returns a promise, settles without an async step
    const errors = stopCreated(this.#ctx.created, NEVER);
    if (isThenable(errors)) return (this.#disposed = Promise.resolve(errors).then((e) => this.#settled(e)));
    return (this.#disposed = errors.length === 0 ? (this.#clear(), DONE) : Promise.resolve(errors).then((e) => this.#settled(e)));
  }

  /** `await using scope = container.createScope()`: {@link Scope.dispose}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /** @internal The container's stopAll: disposes under its signal; failures come back, not thrown. */
  close(signal: AbortSignal): Promise<BandmasterError[]> {
    if (this.#disposed) return this.#disposed.then(() => [], (error: ShutdownError) => error.errors);
    const errors = this.#stop(signal);
    this.#disposed = errors.then((e) => {
      if (e.length > 0) throw this.#owner.report(e, 0);
    });
    // the rejection is the caller's to report; this one must not escape as unhandled
    this.#disposed.catch(() => undefined);
    return errors;
  }

  async #dispose(signal: AbortSignal): Promise<void> {
    this.#settled(await this.#stop(signal));
  }

  #settled(errors: BandmasterError[]): void {
    this.#clear();
    if (errors.length > 0) throw this.#owner.report(errors, 0);
  }

  async #stop(signal: AbortSignal): Promise<BandmasterError[]> {
    // builds still running finish first: what they make is stopped with the rest
    if (this.#building()) await Promise.allSettled(this.#ctx.cache!.filter(isThenable));
    const errors = await stopCreated(this.#ctx.created, signal);
    this.#clear();
    return errors;
  }

  #building(): boolean {
    const cache = this.#ctx.cache;
    return cache !== undefined && cache.some(isThenable);
  }

  #clear(): void {
    this.#ctx.cache = undefined;
    this.#ctx.provided = undefined;
    this.#owner.closed(this.#ctx);
  }

  #value(token: InjectionToken): unknown {
    checkToken(token, 'scope.resolve()');
    this.#check('scope.resolve()');
    const owner = this.#owner;
    const slot = slotOf(owner.registry, token, false);
    if (slot.kind === PROVIDED && !this.#ctx.provided?.has(slot.key)) {
      throw new BandmasterError('ServiceUnknown', { service: describeToken(token), detail: 'register it, or give it to the scope with scope.provide(token, value)' });
    }
    return slotValue(this.#ctx, slot, 'scope.resolve()');
  }

  #check(method: string): void {
    if (this.#disposed) throw disposedError(method);
    this.#owner.prepare();
  }
}
registerBuiltin(Scope, 'scope');

function disposedError(method: string): BandmasterError {
  return new BandmasterError('InvalidArgument', { service: method, detail: 'the scope is disposed: create a new one with container.createScope()' });
}
