// bandmaster/fastify: the container inside a Fastify application's own lifecycle.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BandmasterError, dashboardHandler, healthHandler } from '../index';
import type { Container, DashboardOptions, HealthHandlerOptions } from '../index';

/** Options of the {@link bandmaster} Fastify plugin. */
export interface BandmasterFastifyOptions {
  /** The container the application uses; decorated as `app.container`. */
  readonly container: Container;
  /** Mount `GET /livez` and `GET /readyz` (served by `healthHandler`); `true` for the defaults. */
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
  // request.scope (issue 16) goes here: an `onRequest` hook opening `container.createScope()`
  // and `onResponse` / `onRequestAbort` / `onError` hooks disposing it.
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
  for (const url of [options.livenessPath ?? '/livez', options.readinessPath ?? '/readyz']) app.get(url, serve);
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
 * a container already started is not booted again) and stops it in `onClose`. With `probes` it
 * mounts `/livez` and `/readyz`, with `dashboard` the live dashboard.
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
