import { BandmasterError, describeValue } from '../errors';
import type { HealthReport } from './health';
import type { DashboardSource } from './dashboard-state';
import type { DashboardPage } from './dashboard-page';

/** Options of {@link dashboardHandler}. */
export interface DashboardOptions {
  /** Where the page is served; default `/bandmaster`. `path/state.json` and `path/events` beside it. */
  readonly path?: string;
  /** Time limit of each health check run for `state.json`, in ms; default 1000. */
  readonly healthTimeout?: number;
  /** Interval of the keep-alive comment on the event stream, in ms; default 15000 (proxies close idle streams). */
  readonly heartbeat?: number;
}

/**
 * The parts of a `node:http` request the dashboard reads; an `IncomingMessage` (and an Express or
 * connect request) fits. Declared here so the package's types do not need Node's.
 */
export interface DashboardRequest {
  /** The HTTP method: `GET` and `HEAD` are answered, others get 405 (or go to `next`). */
  readonly method?: string | undefined;
  /** The request path, query included. */
  readonly url?: string | undefined;
  /** An event stream ends when its request closes. */
  on(event: 'close', listener: () => void): unknown;
}

/** The parts of a `node:http` response the dashboard writes; a `ServerResponse` fits. */
export interface DashboardResponse {
  /** The status code of a page, `state.json` or error answer. */
  statusCode: number;
  /** Sets one header of a page, `state.json` or error answer. */
  setHeader(name: string, value: string | number): unknown;
  /** Starts the event stream. */
  writeHead(status: number, headers: Record<string, string>): unknown;
  /** Writes one server-sent event. */
  write(chunk: string): unknown;
  /** Ends the answer (or the stream). */
  end(body?: string): unknown;
  /** An event stream ends when its response closes. */
  on(event: 'close', listener: () => void): unknown;
}

/** A `node:http` request listener; also an express/connect middleware (other requests go to `next`). */
export interface DashboardRequestHandler {
  (req: DashboardRequest, res: DashboardResponse, next?: (err?: unknown) => void): void;
  /**
   * Ends every open event stream, so that `server.close()` does not wait for open pages (they
   * reconnect by themselves while the server still answers). Call it when the server stops.
   */
  close(): void;
}

/** The dashboard's state builder, loaded with the first handler: `require('bandmaster')` compiles none of it. */
function state(): typeof import('./dashboard-state') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./dashboard-state') as typeof import('./dashboard-state');
}

/**
 * A read-only live dashboard of the container: `GET path` is one self-contained HTML page (no
 * CDN, works offline) with the dependency graph in layers, each service coloured by state with
 * its attempts, last error and restarts, the boot timeline with its critical path, and health,
 * all updated live; `GET path/state.json` the same data; `GET path/events` a server-sent event
 * stream (`event: lifecycle`). Errors are shown one line each with URL passwords masked; nothing
 * else of a service's configuration is shown. Other paths and methods go to `next()` (or get
 * 404/405 without one).
 *
 * @throws BandmasterError `InvalidArgument` when `path` does not start with `/`.
 * @example
 * ```ts
 * http.createServer(dashboardHandler(container)).listen(9090); // http://127.0.0.1:9090/bandmaster
 * app.use(dashboardHandler(container, { path: '/ops/bandmaster' })); // express
 * ```
 */
export function dashboardHandler(container: DashboardSource, options: DashboardOptions = {}): DashboardRequestHandler {
  const base = normalizePath(options.path);
  const { EventMemory } = state();
  const memory = new EventMemory();
  container.events.on((e) => memory.record(e));
  const health = coalesced(() => container.health({ timeout: options.healthTimeout ?? 1_000 }));
  let page: DashboardPage | undefined;
  const heartbeat = options.heartbeat ?? 15_000;
  const streams = new Set<DashboardResponse>();
  const handler = (req: DashboardRequest, res: DashboardResponse, next?: (err?: unknown) => void): void => {
    const url = (req.url ?? '/').split('?')[0]!;
    const route = url === base || url === `${base}/` ? 'page' : url === `${base}/state.json` ? 'state' : url === `${base}/events` ? 'events' : undefined;
    const readable = req.method === 'GET' || req.method === 'HEAD';
    if (!route || !readable) {
      if (next) return next();
      if (!route) return sendText(req, res, 404, 'not found');
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(req, res, 405, 'method not allowed');
    }
    if (route === 'page') {
      // built on the first visit: importing bandmaster loads neither the page nor node:crypto
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      page ??= (require('./dashboard-page') as typeof import('./dashboard-page')).dashboardPage(base);
      return sendPage(req, res, page);
    }
    if (route === 'events') return streamEvents({ container, streams, heartbeat }, req, res);
    health().then(
      (report) => sendJson(req, res, state().buildState(container, memory, report)),
      (err: unknown) => sendJson(req, res, state().buildState(container, memory, { healthy: false, services: [] }), err),
    );
  };
  return Object.assign(handler, {
    close(): void {
      for (const res of streams) res.end();
      streams.clear();
    },
  });
}

function normalizePath(path: string | undefined): string {
  const value = path ?? '/bandmaster';
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new BandmasterError('InvalidArgument', { service: 'dashboardHandler', detail: `path must start with '/', like '/bandmaster'; got ${describeValue(value)}` });
  }
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

/** Concurrent callers share one run: a page open in ten tabs runs the checks once per round. */
function coalesced(run: () => Promise<HealthReport>): () => Promise<HealthReport> {
  let current: Promise<HealthReport> | undefined;
  return () => {
    current ??= run().finally(() => (current = undefined));
    return current;
  };
}

interface Streaming {
  readonly container: DashboardSource;
  readonly streams: Set<DashboardResponse>;
  readonly heartbeat: number;
}

function streamEvents({ container, streams, heartbeat }: Streaming, req: DashboardRequest, res: DashboardResponse): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    // nginx buffers responses unless told not to
    'X-Accel-Buffering': 'no',
  });
  if (req.method === 'HEAD') return void res.end();
  res.write('retry: 2000\n: connected\n\n');
  const off = container.events.on((e) => {
    res.write(`event: lifecycle\ndata: ${JSON.stringify(state().toDashboardEvent(e))}\n\n`);
  });
  const timer = setInterval(() => res.write(': keep-alive\n\n'), heartbeat);
  timer.unref();
  streams.add(res);
  const close = (): void => {
    off();
    clearInterval(timer);
    streams.delete(res);
  };
  req.on('close', close);
  res.on('close', close);
}

function sendPage(req: DashboardRequest, res: DashboardResponse, page: DashboardPage): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', page.csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(page.html));
  res.end(req.method === 'HEAD' ? undefined : page.html);
}

function sendJson(req: DashboardRequest, res: DashboardResponse, body: object, healthError?: unknown): void {
  const text = JSON.stringify(healthError === undefined ? body : { ...body, healthError: 'health checks could not run' });
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}

function sendText(req: DashboardRequest, res: DashboardResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(req.method === 'HEAD' ? undefined : text);
}
