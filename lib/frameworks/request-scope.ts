// One scope per HTTP request, shared by bandmaster/fastify and scopeMiddleware (Express, connect,
// node:http): opened on first use of `scope`, disposed once when the response is over.
import type { Container } from '../container';
import { BandmasterError } from '../errors';
import { getGlobalLogger, type Logger } from '../logger';
import type { Scope } from '../scope/scope';
import { token, type Token } from '../tokens';

/**
 * What {@link REQUEST} is typed as: the parts of Node's `IncomingMessage` every framework keeps
 * (declared here so that the main entry needs no Node types; the value is the `IncomingMessage`).
 */
export interface ScopeRequest {
  /** The HTTP method. */
  readonly method?: string | undefined;
  /** The request path, query included. */
  readonly url?: string | undefined;
  /** The request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * The Node.js request (`IncomingMessage`) of the scope it is provided in: every request scope of
 * `scopeMiddleware` and of `bandmaster/fastify` provides it, so a scoped service can take it with
 * `@Inject(REQUEST) req: IncomingMessage` whatever the framework. Only scopes give it: a singleton
 * depending on it is a `ScopeMismatch`.
 */
export const REQUEST: Token<ScopeRequest> = token<ScopeRequest>('bandmaster:request');

/** What a request scope reports a disposal failure through, and what it provides in the scope. */
export interface RequestScopeHooks {
  /** Called once with a disposal's failure (a `ShutdownError`); it must not throw. */
  readonly failed: (error: unknown) => void;
  /** Provides the framework's own request object, after {@link REQUEST}. */
  readonly provide?: (scope: Scope) => void;
}

/**
 * The scope of one request. `scope` opens it on first use (so probes and routes that need none
 * cost nothing, and answer while the container stops); `end()` disposes it, once. Read after the
 * end, `scope` is a disposed scope: its `resolve` rejects.
 */
export class RequestScope {
  readonly #container: Container;
  readonly #request: ScopeRequest;
  readonly #hooks: RequestScopeHooks;
  #scope: Scope | undefined = undefined;
  #ended = false;

  constructor(container: Container, request: ScopeRequest, hooks: RequestScopeHooks) {
    this.#container = container;
    this.#request = request;
    this.#hooks = hooks;
  }

  /** The request's scope, created now if it is the first use. @throws BandmasterError `ServiceNotStarted` outside startAll()..stopAll(). */
  get scope(): Scope {
    if (this.#scope) return this.#scope;
    const scope = this.#container.createScope().provide(REQUEST, this.#request);
    this.#hooks.provide?.(scope);
    this.#scope = scope;
    if (this.#ended) this.#dispose(scope);
    return scope;
  }

  /** Disposes the scope if one was opened; later calls do nothing. Never throws or rejects. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#scope) this.#dispose(this.#scope);
  }

  #dispose(scope: Scope): void {
    const report = this.#hooks.failed;
    scope.dispose().catch((error: unknown) => {
      try {
        report(error);
      } catch {
        // a logger that throws cannot take the process down with it
      }
    });
  }
}

/** Options of {@link scopeMiddleware}. */
export interface ScopeMiddlewareOptions {
  /** Where a failed disposal is logged (`error('request scope disposal failed', { error, method, path })`). Default: the global logger. */
  readonly logger?: Logger;
}

/** A connect-style middleware: Express, connect, or a plain `node:http` handler calling it with its `req` and `res`. */
export type ScopeMiddleware = (
  req: ScopeRequest,
  res: { once(event: 'finish' | 'close', listener: () => void): unknown },
  next: (error?: unknown) => void,
) => void;

declare global {
  // Express's own request type merges this (its types live in the global `Express` namespace)
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request's bandmaster scope, set by `scopeMiddleware(container)`. */
      readonly scope: Scope;
    }
  }
}

/**
 * Gives every request `req.scope`: a `container.createScope()` opened on first use, providing the
 * request under {@link REQUEST}, and disposed once when the response is over (its `'finish'`, or
 * its `'close'` when the client went away first). A failed disposal is logged, never thrown.
 *
 * @throws BandmasterError `InvalidArgument` when `container` is not a Container.
 * @example
 * ```ts
 * app.use(scopeMiddleware(container));
 * app.get('/notes', async (req, res) => res.json(await (await req.scope.resolve(Notes)).list()));
 * ```
 */
export function scopeMiddleware(container: Container, options: ScopeMiddlewareOptions = {}): ScopeMiddleware {
  if (!container || typeof container.createScope !== 'function') {
    throw new BandmasterError('InvalidArgument', { service: 'scopeMiddleware()', detail: 'pass the bandmaster Container: app.use(scopeMiddleware(container))' });
  }
  return (req, res, next) => {
    const failed = (error: unknown): void => {
      const logger = options.logger ?? getGlobalLogger();
      // the path only: a query string may carry a secret
      if (logger) logger.error('request scope disposal failed', { error, method: req.method, path: req.url?.split('?')[0] });
    };
    const holder = new RequestScope(container, req, { failed });
    Object.defineProperty(req, 'scope', { get: () => holder.scope, configurable: true, enumerable: false });
    const end = (): void => holder.end();
    res.once('finish', end);
    res.once('close', end);
    next();
  };
}
