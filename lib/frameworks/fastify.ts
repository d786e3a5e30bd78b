// bandmaster/fastify: the container inside a Fastify application's own lifecycle.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BandmasterError, RequestScope, dashboardHandler, healthHandler, token } from '../index';
import type { Container, DashboardOptions, HealthHandlerOptions, Scope, Token } from '../index';

/** Options of the {@link bandmaster} Fastify plugin. */
export interface BandmasterFastifyOptions {
  /** The container the application uses; decorated as `app.container`. */
  readonly container: Container;
  /** Mount `GET /livez`, `GET /readyz` and `GET /startupz` (served by `healthHandler`); `true` for the defaults. */
  readonly probes?: boolean | HealthHandlerOptions;
  /** Mount the read-only live dashboard (served by `dashboardHandler`); `true` for `/bandmaster`. */
  readonly dashboard?: boolean | DashboardOptions;
  /**
   * Time limit of the boot in `onReady`, in ms (passed to `startAll`). Fastify's own
   * `pluginTimeout` (default 10 s) also bounds `onReady` hooks: keep this below it.
   */
  readonly startTimeout?: number;
  /** Time limit of the shutdown in `onClose`, in ms (passed to `stopAll`). */
  readonly stopTimeout?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The bandmaster container registered by `app.register(bandmaster, { container })`. */
    readonly container: Container;
  }
  interface FastifyRequest {
    /**
     * This request's scope (`container.createScope()`), opened on first use and disposed once the
     * response is over: sent, failed, or aborted by the client. It provides `REQUEST` (the Node
     * request) and `FASTIFY_REQUEST`.
     */
    readonly scope: Scope;
  }
}

/** The `FastifyRequest` of the request scope it is provided in (`REQUEST` gives its `raw`). */
export const FASTIFY_REQUEST: Token<FastifyRequest> = token<FastifyRequest>('bandmaster:fastify-request');

const SCOPES = new WeakMap<FastifyRequest, RequestScope>();

/** The request's scope holder, made on first use: disposal failures go to `request.log`. */
function holderOf(container: Container, request: FastifyRequest): RequestScope {
  let holder = SCOPES.get(request);
  if (holder) return holder;
  holder = new RequestScope(container, request.raw, {
    failed: (err) => request.log.error({ err }, 'request scope disposal failed'),
    provide: (scope) => void scope.provide(FASTIFY_REQUEST, request),
  });
  SCOPES.set(request, holder);
  return holder;
}

/** `request.scope`, disposed on `onResponse` (sent, also after an error) or when the client went away first. */
function mountRequestScopes(app: FastifyInstance, container: Container): void {
  app.decorateRequest('scope', {
    getter(this: FastifyRequest): Scope {
      return holderOf(container, this).scope;
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    // 'close' follows 'finish' too, and comes alone when the connection dropped before the end
    reply.raw.once('close', () => SCOPES.get(request)?.end());
    done();
  });
  const end = (request: FastifyRequest, _reply: unknown, done: () => void): void => {
    SCOPES.get(request)?.end();
    done();
  };
  app.addHook('onResponse', end);
  app.addHook('onRequestAbort', (request, done) => end(request, undefined, done));
}

/** True when every registered service is started: such a container is not booted again. */
function allStarted(container: Container): boolean {
  const services = container.status();
  return services.length > 0 && services.every((s) => s.state === 'started');
}

const plugin: FastifyPluginAsync<BandmasterFastifyOptions> = async (app, options) => {
  const container = options?.container;
  if (!container || typeof container.startAll !== 'function' || typeof container.stopAll !== 'function') {
    throw new BandmasterError('InvalidArgument', {
      service: 'bandmaster/fastify',
      detail: 'options.container must be a bandmaster Container; register the plugin as app.register(bandmaster, { container })',
    });
  }
  app.decorate('container', container);
  mountRequestScopes(app, container);
  mountProbes(app, container, options.probes);
  mountDashboard(app, container, options.dashboard);
  // A rejection here fails `app.ready()` / `app.listen()` with the BootError itself.
  app.addHook('onReady', async () => {
    if (allStarted(container)) return;
    await container.startAll({ timeout: options.startTimeout });
  });
  app.addHook('onClose', async () => {
    await container.stopAll({ timeout: options.stopTimeout });
  });
};

function mountProbes(app: FastifyInstance, container: Container, probes: BandmasterFastifyOptions['probes']): void {
  if (!probes) return;
  const options = probes === true ? {} : probes;
  const handler = healthHandler(container, options);
  const serve = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    handler(request.raw, reply.raw);
  };
  // GET routes answer HEAD too (Fastify's exposeHeadRoutes); the handler sends no body then
  for (const url of [options.livenessPath ?? '/livez', options.readinessPath ?? '/readyz', options.startupPath ?? '/startupz']) app.get(url, serve);
}

function mountDashboard(app: FastifyInstance, container: Container, dashboard: BandmasterFastifyOptions['dashboard']): void {
  if (!dashboard) return;
  const options = dashboard === true ? {} : dashboard;
  const handler = dashboardHandler(container, options);
  const base = (options.path ?? '/bandmaster').replace(/\/+$/, '') || '/';
  const serve = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    handler(request.raw, reply.raw, () => {
      reply.raw.statusCode = 404;
      reply.raw.end();
    });
  };
  for (const url of [base, `${base}/state.json`, `${base}/events`]) app.get(url, serve);
  // open event streams would keep `close()` waiting for the browser
  app.addHook('preClose', async () => handler.close());
}

/**
 * The Fastify plugin: `app.register(bandmaster, { container })` decorates `app.container`, boots
 * the container in `onReady` (a boot failure fails `ready()` / `listen()` with the `BootError`;
 * a container already started is not booted again) and stops it in `onClose`. Each request gets
 * `request.scope`, disposed once the response is over. With `probes` it mounts `/livez`,
 * `/readyz` and `/startupz`, with `dashboard` the live dashboard.
 *
 * @throws BandmasterError `InvalidArgument` (through `ready()`) when `container` is not a Container.
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(bandmaster, { container, probes: true });
 * app.get('/users', async () => app.container.resolve(Users).list());
 * await app.listen({ port: 8080 });   // boots the container first
 * ```
 */
export const bandmaster = fp(plugin, { fastify: '5.x', name: 'bandmaster' });
