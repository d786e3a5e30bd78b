import type { LifecycleEvents } from '../events';
import type { ServiceState } from '../lifecycle/node';
import type { HealthOptions, HealthReport, ServiceHealth } from './health';

/** What the health endpoints need from a container. */
export interface HealthSource {
  /** Its lifecycle events: a shutdown turns readiness off at once. */
  readonly events: LifecycleEvents;
  /** Runs the health checks, as `container.health()` does. */
  health(options?: HealthOptions): Promise<HealthReport>;
  /** Every service's state, as `container.status()` gives it: the startup probe reads it. */
  status(): readonly {
    /** The service's lifecycle state. */
    readonly state: ServiceState;
    /** Whether readiness needs it. */
    readonly required: boolean;
  }[];
}

/** The answer of {@link probeReadiness}. */
export interface Readiness {
  /** Every required service is started and healthy, and no shutdown has begun. */
  readonly ready: boolean;
  /** A shutdown (or the drain before one) began, and no boot started since. */
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
  /** Path of the startup probe; default `/startupz`. */
  readonly startupPath?: string;
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

/** Why a container is not ready whatever its checks say. */
interface ShutdownFlag {
  /** A `stopping` event of a shutdown came and no `starting` since. */
  stopping: boolean;
  /** Restarts running (`restarting` without its `restarted` or `restart-failed` yet): their stops are not a shutdown. */
  restarts: number;
  /** Drains before a stop (`handleSignals`) that has not begun: a restart's `starting` does not clear it. */
  drains: number;
}

const flags = new WeakMap<LifecycleEvents, ShutdownFlag>();

/**
 * Follows the container's events: a `stopping` begins a shutdown, a `starting` a boot. The stops
 * of supervision are not a shutdown: a restart's come between its `restarting` and its end, and
 * those of a service given up on (no `restarting` before them) end with its `restart-failed`,
 * with no start after them when nothing else needs one; readiness then follows the checks.
 */
function shutdownFlag(events: LifecycleEvents): ShutdownFlag {
  let flag = flags.get(events);
  if (!flag) {
    const state: ShutdownFlag = { stopping: false, restarts: 0, drains: 0 };
    events.on((e) => {
      switch (e.type) {
        case 'stopping':
          if (state.restarts === 0) state.stopping = true;
          break;
        case 'starting':
          state.stopping = false;
          break;
        case 'restarting':
          state.restarts++;
          break;
        case 'restarted':
        case 'restart-failed':
          if (state.restarts > 0) state.restarts--;
          else state.stopping = false;
          break;
      }
    });
    flags.set(events, (flag = state));
  }
  return flag;
}

const shuttingDown = (flag: ShutdownFlag): boolean => flag.stopping || flag.drains > 0;

/**
 * Turns readiness off at once, before any service stops (the drain of `handleSignals`). The
 * returned function ends the drain; readiness then stays off as after a shutdown, until the
 * next boot's first `starting`.
 */
export function beginDrain(events: LifecycleEvents): () => void {
  const flag = shutdownFlag(events);
  flag.drains++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    flag.drains--;
    flag.stopping = true;
  };
}

/** The round of checks in flight per container and check timeout, shared by concurrent probes. */
const rounds = new WeakMap<HealthSource, Map<number, Promise<HealthReport>>>();

/**
 * `container.health({ timeout })`, once for every probe that arrives while a round runs: 20
 * concurrent probes run each check once; a probe after the round ended starts a new one.
 */
function sharedHealth(container: HealthSource, timeout: number): Promise<HealthReport> {
  let known = rounds.get(container);
  if (!known) rounds.set(container, (known = new Map()));
  const byTimeout = known;
  const running = byTimeout.get(timeout);
  if (running) return running;
  const round = Promise.resolve()
    .then(() => container.health({ timeout }))
    .finally(() => byTimeout.delete(timeout));
  byTimeout.set(timeout, round);
  return round;
}

/** Whether the first boot finished, latched: the startup probe. */
interface StartupFlag {
  done: boolean;
  /** A service started since the last look: the next `stopping`, `restarting` or `lost` looks again. */
  dirty: boolean;
}

const startups = new WeakMap<HealthSource, StartupFlag>();

/**
 * The boot is over and it went well: no service waiting or starting, every required one started
 * (or, seen from a `stopping` event, stopping: it was started until that moment).
 */
function booted(container: HealthSource, stoppingCounts: boolean): boolean {
  for (const s of container.status()) {
    if (s.state === 'waiting' || s.state === 'starting') return false;
    if (s.required && s.state !== 'started' && !(stoppingCounts && s.state === 'stopping')) return false;
  }
  return true;
}

/**
 * Follows the container's public state and events: done once a look finds the boot over with
 * no required service failed, and from then on for good. Looks happen at each startup probe
 * and, while not done, just before a started service can stop (a stop, a restart, a loss), so
 * a boot that nobody probed in time still counts.
 */
function startupFlag(container: HealthSource): StartupFlag {
  let flag = startups.get(container);
  if (!flag) {
    const state: StartupFlag = { done: false, dirty: true };
    const off = container.events.on((e) => {
      if (state.done) return off();
      if (e.type === 'started') state.dirty = true;
      else if (state.dirty && (e.type === 'stopping' || e.type === 'restarting' || e.type === 'lost')) {
        state.dirty = false;
        state.done = booted(container, e.type === 'stopping');
      }
    });
    startups.set(container, (flag = state));
  }
  return flag;
}

function startupDone(container: HealthSource): boolean {
  const flag = startupFlag(container);
  if (!flag.done) flag.done = booted(container, false);
  return flag.done;
}

/**
 * Readiness for load balancers and Kubernetes: every required service started and healthy, and
 * false as soon as a shutdown (or the drain of `handleSignals`) begins. Use it from any
 * framework; {@link healthHandler} serves it. Calls without a `signal` that overlap share one
 * round of checks (with the same `timeout`); a call with a `signal` runs its own.
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
  if (shuttingDown(flag)) return { ready: false, shuttingDown: true, services: [] };
  const timeout = options.timeout ?? 1_000;
  const report = options.signal ? await container.health({ timeout, signal: options.signal }) : await sharedHealth(container, timeout);
  // a shutdown may have begun while the checks ran
  const down = shuttingDown(flag);
  return { ready: report.healthy && !down, shuttingDown: down, services: report.services };
}

/**
 * A request handler serving Kubernetes probes: `GET /livez` answers 200 while the process can
 * answer at all; `GET /readyz` answers 200 when {@link probeReadiness} says ready, else 503
 * (concurrent probes share one round of checks); `GET /startupz` answers 503 until the first
 * boot has finished with no required service failed, then 200 for good. Other paths get 404,
 * or go to `next` when the handler is used as a middleware.
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
  const startup = options.startupPath ?? '/startupz';
  shutdownFlag(container.events);
  startupFlag(container);
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== live && path !== ready && path !== startup) {
      if (next) return next();
      return send(req, res, 404, { status: 'not found' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(req, res, 405, { status: 'method not allowed' });
    }
    if (path === live) return send(req, res, 200, { status: 'ok' });
    if (path === startup) return answerStartup(container, req, res);
    probeReadiness(container, { timeout: options.timeout }).then(
      (r) => send(req, res, r.ready ? 200 : 503, readinessBody(r, options.details === true)),
      () => send(req, res, 503, { status: 'not ready', shuttingDown: false }),
    );
  };
}

function answerStartup(container: HealthSource, req: HealthRequest, res: HealthResponse): void {
  let done: boolean;
  try {
    done = startupDone(container);
  } catch {
    // a status() that throws (a custom HealthSource) is not a finished boot
    done = false;
  }
  send(req, res, done ? 200 : 503, { status: done ? 'started' : 'starting' });
}

function readinessBody(r: Readiness, details: boolean): object {
  const body = { status: r.ready ? 'ready' : 'not ready', shuttingDown: r.shuttingDown };
  if (!details) return body;
  return {
    ...body,
    services: r.services.map((s) => ({
      name: s.name,
      state: s.state,
      required: s.required,
      healthy: s.healthy,
      ...(s.error ? { error: s.error } : {}),
      ...(s.restarts ? { restarts: s.restarts } : {}),
    })),
  };
}

function send(req: HealthRequest, res: HealthResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
