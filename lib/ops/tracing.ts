import { describeCause } from '../errors';
import type { LifecycleEvent, LifecycleEvents } from '../events';
import { runTracingChannel, wrapTries, type AttemptTraceContext, type RunTraceContext } from './attempt-channels';
import { packageVersion } from './version';

/** The part of an OpenTelemetry `Span` bandmaster uses. */
export interface SpanLike {
  /** Sets one attribute of the span. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the span's status (OpenTelemetry `SpanStatusCode`: 1 ok, 2 error). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records an error on the span. */
  recordException(exception: Error | string): unknown;
  /** Ends the span. */
  end(): void;
}

/** The part of an OpenTelemetry `Tracer` bandmaster uses. */
export interface TracerLike {
  /** Starts a span with the given name and attributes, as a child of the span in `context` (an OpenTelemetry `Context`) when given. */
  startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }, context?: unknown): SpanLike;
}

/** Options of {@link traceLifecycle}. */
export interface TracingOptions {
  /** The tracer; default `trace.getTracer('bandmaster', version)` from `@opentelemetry/api`, when it is installed. */
  readonly tracer?: TracerLike;
}

// OpenTelemetry's SpanStatusCode values, fixed by the specification
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** The part of `@opentelemetry/api` bandmaster uses; contexts are opaque to it. */
interface OtelApi {
  readonly trace: { getTracer(name: string, version?: string): TracerLike; setSpan(context: unknown, span: SpanLike): unknown };
  readonly context: { active(): unknown; with<T>(context: unknown, fn: () => T): T };
  readonly ROOT_CONTEXT: unknown;
}
let api: OtelApi | null | undefined;

/** `@opentelemetry/api` when installed, else null; loaded on first use only. */
function loadApi(): OtelApi | null {
  if (api === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      api = require('@opentelemetry/api') as OtelApi;
    } catch {
      api = null;
    }
  }
  return api;
}

/**
 * Records OpenTelemetry spans of a container's lifecycle: a root span per `startAll`, `stopAll`
 * and restart (`startAll`, `stopAll`, `restart db`), and under it one span per start attempt and
 * per stop attempt of every service (`start db`, `stop db`), with the service, attempt and
 * outcome. An attempt's span is the **active** span while its hook runs (the factory, `onStart`,
 * `onStop`, across their awaits), so the client spans that auto-instrumentation makes there (pg,
 * ioredis, http) nest under it. Does nothing, and loads nothing, when `@opentelemetry/api` is not
 * installed and no tracer is given; with a tracer but without the API, spans are recorded but
 * neither nested nor made active.
 *
 * @returns a function that stops tracing (ending spans still open).
 * @throws never.
 * @example
 * ```ts
 * const container = new Container();
 * traceLifecycle(container);
 * await container.startAll();
 * ```
 */
export function traceLifecycle(container: { readonly events: LifecycleEvents }, options: TracingOptions = {}): () => void {
  const otel = loadApi();
  const tracer = options.tracer ?? otel?.trace.getTracer('bandmaster', packageVersion());
  if (!tracer) return () => undefined;
  const spans = new LifecycleSpans(tracer, otel);
  const offEvents = container.events.on((event) => spans.onEvent(event));
  const runs = runTracingChannel();
  const none = (): void => undefined;
  const handlers = {
    end: none,
    asyncStart: none,
    error: none,
    start: (ctx: RunTraceContext): void => guarded(() => ctx.container === container && spans.openRun(ctx, ctx.operation, otel?.context.active())),
    asyncEnd: (ctx: RunTraceContext): void => guarded(() => ctx.container === container && spans.closeRun(ctx, ctx.error)),
  };
  runs.subscribe(handlers);
  const offTries = otel ? wrapTries((ctx, call) => spans.within(ctx, call)) : undefined;
  return () => {
    offEvents();
    runs.unsubscribe(handlers);
    offTries?.();
    spans.endAll();
  };
}

/** A channel subscriber that throws is reported as an uncaught exception: a tracer that throws must not crash the service. */
function guarded(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    process.emitWarning(`bandmaster: tracing failed: ${describeCause(error)}`);
  }
}

type Operation = RunTraceContext['operation'] | 'restart';

/** A root span: a `startAll` or `stopAll` call (keyed by its channel context) or a restart (keyed by service). */
interface Run {
  readonly key: object | string;
  readonly operation: Operation;
  readonly span: SpanLike;
  /** The OpenTelemetry context with this span in it, the parent of the attempts' spans. */
  readonly context: unknown;
}

/** The span of the attempt about to run, made at its `starting`/`stopping` event, which comes right before its try. */
interface Armed {
  readonly service: string;
  readonly attempt: number;
  readonly context: unknown;
}

/** The spans of one traced container. */
class LifecycleSpans {
  readonly #attempts = new Map<string, SpanLike>();
  #runs: Run[] = [];
  #armed: Armed | undefined = undefined;

  constructor(
    private readonly tracer: TracerLike,
    private readonly otel: OtelApi | null,
  ) {}

  onEvent(e: LifecycleEvent): void {
    const phase = e.type.startsWith('stop') ? 'stop' : 'start';
    const key = `${phase}\u0000${e.service}`;
    switch (e.type) {
      case 'starting':
      case 'stopping':
        return this.#openAttempt(phase, key, e);
      case 'started':
      case 'stopped':
        return this.#closeAttempt(key, undefined);
      case 'start-retrying':
      case 'stop-retrying':
        this.#attempts.get(key)?.setAttribute('bandmaster.retry_delay_ms', e.delayMs);
        return this.#closeAttempt(key, e.error);
      case 'start-failed':
      case 'stop-failed':
        return this.#closeAttempt(key, e.error);
      case 'restarting': {
        // a supervised restart (after a loss) is work of its own: its trace starts afresh
        const parent = e.reason === undefined ? this.otel?.context.active() : this.otel?.ROOT_CONTEXT;
        return this.openRun(`restart\u0000${e.service}`, 'restart', parent, e.service);
      }
      case 'restarted':
        return this.closeRun(`restart\u0000${e.service}`, undefined);
      case 'restart-failed':
        return this.closeRun(`restart\u0000${e.service}`, e.error);
    }
  }

  /** Runs a traced try within its span's context, when it is this container's attempt armed last. */
  within(ctx: AttemptTraceContext, call: () => unknown): unknown {
    const armed = this.#armed;
    if (armed === undefined || armed.service !== ctx.service || armed.attempt !== ctx.attempt) return call();
    this.#armed = undefined;
    return this.otel!.context.with(armed.context, call);
  }

  openRun(key: object | string, operation: Operation, parent: unknown, service?: string): void {
    const attributes: Record<string, string> = { 'bandmaster.operation': operation };
    if (service !== undefined) attributes['bandmaster.service'] = service;
    const span = this.tracer.startSpan(service === undefined ? operation : `${operation} ${service}`, { attributes }, parent);
    this.#runs = [...this.#runs, { key, operation, span, context: this.otel?.trace.setSpan(parent ?? this.otel.context.active(), span) }];
  }

  closeRun(key: object | string, error: unknown): void {
    const run = this.#runs.find((r) => r.key === key);
    if (run === undefined) return;
    this.#runs = this.#runs.filter((r) => r !== run);
    settle(run.span, error);
  }

  endAll(): void {
    for (const span of this.#attempts.values()) span.end();
    for (const run of this.#runs) run.span.end();
    this.#attempts.clear();
    this.#runs = [];
    this.#armed = undefined;
  }

  #openAttempt(phase: 'start' | 'stop', key: string, e: LifecycleEvent): void {
    this.#attempts.get(key)?.end();
    const attributes = { 'bandmaster.service': e.service, 'bandmaster.phase': phase, 'bandmaster.attempt': e.attempt, 'bandmaster.required': e.required };
    const parent = this.#parent(phase);
    const span = this.tracer.startSpan(`${phase} ${e.service}`, { attributes }, parent);
    this.#attempts.set(key, span);
    const otel = this.otel;
    this.#armed = otel ? { service: e.service, attempt: e.attempt, context: otel.trace.setSpan(parent ?? otel.context.active(), span) } : undefined;
  }

  /** The context of the newest open run an attempt of `phase` belongs to (a restart has both), else the active one. */
  #parent(phase: 'start' | 'stop'): unknown {
    const own = phase === 'start' ? 'startAll' : 'stopAll';
    for (let i = this.#runs.length - 1; i >= 0; i--) {
      const run = this.#runs[i]!;
      if (run.operation === 'restart' || run.operation === own) return run.context;
    }
    return this.otel?.context.active();
  }

  #closeAttempt(key: string, error: unknown): void {
    this.#armed = undefined;
    const span = this.#attempts.get(key);
    if (!span) return;
    this.#attempts.delete(key);
    settle(span, error);
  }
}

function settle(span: SpanLike, error: unknown): void {
  if (error === undefined) {
    span.setStatus({ code: STATUS_OK });
  } else {
    span.recordException(error instanceof Error ? error : describeCause(error));
    span.setStatus({ code: STATUS_ERROR, message: describeCause(error) });
  }
  span.end();
}
