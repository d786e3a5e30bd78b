import { describeCause } from '../errors';
import type { LifecycleEvent, LifecycleEvents } from '../events';
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
  /** Starts a span with the given name and attributes. */
  startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }): SpanLike;
}

/** Options of {@link traceLifecycle}. */
export interface TracingOptions {
  /** The tracer; default `trace.getTracer('bandmaster', version)` from `@opentelemetry/api`, when it is installed. */
  readonly tracer?: TracerLike;
}

// OpenTelemetry's SpanStatusCode values, fixed by the specification
const STATUS_OK = 1;
const STATUS_ERROR = 2;

type OtelApi = { trace: { getTracer(name: string, version?: string): TracerLike } };
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
 * Records one OpenTelemetry span per start attempt and per stop attempt of every service
 * (`start rd-1`, `stop rd-1`), with the service, attempt and outcome. Does nothing, and loads
 * nothing, when `@opentelemetry/api` is not installed and no tracer is given.
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
  const tracer = options.tracer ?? loadApi()?.trace.getTracer('bandmaster', packageVersion());
  if (!tracer) return () => undefined;
  const open = new Map<string, SpanLike>();
  const off = container.events.on((event) => onEvent(tracer, open, event));
  return () => {
    off();
    for (const span of open.values()) span.end();
    open.clear();
  };
}

function onEvent(tracer: TracerLike, open: Map<string, SpanLike>, e: LifecycleEvent): void {
  const phase = e.type.startsWith('stop') ? 'stop' : 'start';
  const key = `${phase}\u0000${e.service}`;
  switch (e.type) {
    case 'starting':
    case 'stopping': {
      open.get(key)?.end();
      const attributes = { 'bandmaster.service': e.service, 'bandmaster.phase': phase, 'bandmaster.attempt': e.attempt, 'bandmaster.required': e.required };
      open.set(key, tracer.startSpan(`${phase} ${e.service}`, { attributes }));
      return;
    }
    case 'started':
    case 'stopped':
      return close(open, key, undefined);
    case 'start-retrying':
    case 'stop-retrying':
      open.get(key)?.setAttribute('bandmaster.retry_delay_ms', e.delayMs);
      return close(open, key, e.error);
    case 'start-failed':
    case 'stop-failed':
      return close(open, key, e.error);
  }
}

function close(open: Map<string, SpanLike>, key: string, error: unknown): void {
  const span = open.get(key);
  if (!span) return;
  open.delete(key);
  if (error === undefined) {
    span.setStatus({ code: STATUS_OK });
  } else {
    span.recordException(error instanceof Error ? error : describeCause(error));
    span.setStatus({ code: STATUS_ERROR, message: describeCause(error) });
  }
  span.end();
}
