import type { LifecycleEvents } from '../events';
import type { HealthOptions, HealthReport, ServiceHealth } from './health';

/** What the health endpoints need from a container. */
export interface HealthSource {
  /** Its lifecycle events: a shutdown turns readiness off at once. */
  readonly events: LifecycleEvents;
  /** Runs the health checks, as `container.health()` does. */
  health(options?: HealthOptions): Promise<HealthReport>;
}

/** The answer of {@link probeReadiness}. */
export interface Readiness {
  /** Every required service is started and healthy, and no shutdown has begun. */
  readonly ready: boolean;
  /** A shutdown began (and no boot started since). */
  readonly shuttingDown: boolean;
  /** Health of every service; empty once a shutdown began (no checks are run then). */
  readonly services: readonly ServiceHealth[];
}

/** Options of {@link healthHandler}. */
export interface HealthHandlerOptions {
  /** Path of the liveness probe; default `/livez`. */
  readonly livenessPath?: string;
  /** Path of the readiness probe; default `/readyz`. */
  readonly readinessPath?: string;
  /** Time limit of each service's health check in ms; default 1000 (a Kubernetes probe's default timeout is 1s). */
  readonly timeout?: number;
  /** Include every service's state and error in the readiness body; default false (probes are often reachable by anyone). */
  readonly details?: boolean;
}

/**
 * A `node:http` request listener; also an express/connect middleware (unknown paths go to `next`).
 * Its parameters are the parts of `IncomingMessage` and `ServerResponse` it uses, written out so
 * that the declarations do not need `@types/node`.
 */
export type HealthRequestHandler = (
  req: { readonly method?: string | undefined; readonly url?: string | undefined },
  res: { statusCode: number; setHeader(name: string, value: string | number): unknown; end(body?: string): unknown },
  next?: (err?: unknown) => void,
) => void;

type HealthRequest = Parameters<HealthRequestHandler>[0];
type HealthResponse = Parameters<HealthRequestHandler>[1];

const draining = new WeakMap<LifecycleEvents, { value: boolean }>();

/** Follows the container's events: a `stopping` begins a shutdown, a `starting` a boot. */
function shutdownFlag(events: LifecycleEvents): { value: boolean } {
  let flag = draining.get(events);
  if (!flag) {
    const state = { value: false };
    events.on((e) => {
      if (e.type === 'stopping') state.value = true;
      else if (e.type === 'starting') state.value = false;
    });
    draining.set(events, (flag = state));
  }
  return flag;
}

/**
 * Readiness for load balancers and Kubernetes: every required service started and healthy, and
 * false as soon as a shutdown begins. Use it from any framework; {@link healthHandler} serves it.
 *
 * @returns never rejects: a failing check makes the service unhealthy.
 * @example
 * ```ts
 * app.get('/readyz', async (_req, reply) => {
 *   const { ready } = await probeReadiness(container);
 *   return reply.code(ready ? 200 : 503).send({ ready });
 * });
 * ```
 */
export async function probeReadiness(container: HealthSource, options: HealthOptions = {}): Promise<Readiness> {
  const flag = shutdownFlag(container.events);
  if (flag.value) return { ready: false, shuttingDown: true, services: [] };
  const report = await container.health({ timeout: options.timeout ?? 1_000, signal: options.signal });
  // a shutdown may have begun while the checks ran
  return { ready: report.healthy && !flag.value, shuttingDown: flag.value, services: report.services };
}

/**
 * A request handler serving Kubernetes probes: `GET /livez` answers 200 while the process can
 * answer at all; `GET /readyz` answers 200 when {@link probeReadiness} says ready, else 503.
 * Other paths get 404, or go to `next` when the handler is used as a middleware.
 *
 * @throws never: errors become 503 answers.
 * @example
 * ```ts
 * http.createServer(healthHandler(container)).listen(8080);
 * ```
 */
export function healthHandler(container: HealthSource, options: HealthHandlerOptions = {}): HealthRequestHandler {
  const live = options.livenessPath ?? '/livez';
  const ready = options.readinessPath ?? '/readyz';
  shutdownFlag(container.events);
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== live && path !== ready) {
      if (next) return next();
      return send(req, res, 404, { status: 'not found' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(req, res, 405, { status: 'method not allowed' });
    }
    if (path === live) return send(req, res, 200, { status: 'ok' });
    probeReadiness(container, { timeout: options.timeout }).then(
      (r) => send(req, res, r.ready ? 200 : 503, readinessBody(r, options.details === true)),
      () => send(req, res, 503, { status: 'not ready', shuttingDown: false }),
    );
  };
}

function readinessBody(r: Readiness, details: boolean): object {
  const body = { status: r.ready ? 'ready' : 'not ready', shuttingDown: r.shuttingDown };
  if (!details) return body;
  return { ...body, services: r.services.map((s) => ({ name: s.name, state: s.state, required: s.required, healthy: s.healthy, ...(s.error ? { error: s.error } : {}) })) };
}

function send(req: HealthRequest, res: HealthResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
