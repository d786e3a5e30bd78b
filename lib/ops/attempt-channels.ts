import type { TracingChannel } from 'node:diagnostics_channel';
import { isThenable } from '../lifecycle/retry';

/** The tracing channels of start and stop attempts, named in DESIGN.md. */
export const START_CHANNEL = 'bandmaster:start';
export const STOP_CHANNEL = 'bandmaster:stop';
/** The tracing channel of `startAll` and `stopAll` calls: one per call, context {@link RunTraceContext}. */
export const RUN_CHANNEL = 'bandmaster:run';

/** What the tracing channels carry for one attempt: `result` or `error` once it settled. */
export interface AttemptTraceContext {
  readonly service: string;
  readonly attempt: number;
  result?: unknown;
  error?: unknown;
}

/** What `bandmaster:run` carries for one `startAll` or `stopAll` call: `result` (the report) or `error` once it settled. */
export interface RunTraceContext {
  /** The container whose method was called. */
  readonly container: object;
  readonly operation: 'startAll' | 'stopAll';
  result?: unknown;
  error?: unknown;
}

type Channels = TracingChannel<object, AttemptTraceContext>;
type Settled = { result?: unknown; error?: unknown };

/**
 * Runs one traced try inside a context of its own (bandmaster's OpenTelemetry tracing runs it
 * within `context.with`, its span the active one): calls `call` and returns what it returns.
 */
export type TryWrapper = (context: AttemptTraceContext, call: () => unknown) => unknown;

// made on first use, and held: a channel nobody references may be collected with its
// subscribers (Node < 22)
let channels: { readonly start: Channels; readonly stop: Channels; readonly run: TracingChannel<object, RunTraceContext> } | undefined;
let wrappers: readonly TryWrapper[] = [];

function made(): NonNullable<typeof channels> {
  if (channels === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const diagnostics = require('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
    channels = { start: diagnostics.tracingChannel(START_CHANNEL), stop: diagnostics.tracingChannel(STOP_CHANNEL), run: diagnostics.tracingChannel(RUN_CHANNEL) };
  }
  return channels;
}

/**
 * The tracing channel of `phase` when anyone listens to it, else undefined: one `hasSubscribers`
 * read per attempt while nobody does, and no context is built.
 */
export function attemptChannel(phase: 'start' | 'stop'): Channels | undefined {
  const channel = made()[phase];
  return channel.hasSubscribers ? channel : undefined;
}

/** The tracing channel `bandmaster:run` when anyone listens to it, else undefined. */
export function runChannel(): TracingChannel<object, RunTraceContext> | undefined {
  const channel = made().run;
  return channel.hasSubscribers ? channel : undefined;
}

/** The tracing channel `bandmaster:run`, to subscribe to. Internal. */
export function runTracingChannel(): TracingChannel<object, RunTraceContext> {
  return made().run;
}

/**
 * Subscribes to the start and stop channels (so every attempt is traced) and runs each traced try
 * through `wrapper`, inside the stores bound to the channel and after its `start` event.
 * Internal: how `traceLifecycle` makes an attempt's span the active one.
 *
 * @returns the function that unsubscribes and removes the wrapper.
 */
export function wrapTries(wrapper: TryWrapper): () => void {
  const { start, stop } = made();
  const none = (): void => undefined;
  const handlers = { start: none, end: none, asyncStart: none, asyncEnd: none, error: none };
  start.subscribe(handlers);
  stop.subscribe(handlers);
  wrappers = [...wrappers, wrapper];
  return () => {
    start.unsubscribe(handlers);
    stop.unsubscribe(handlers);
    wrappers = wrappers.filter((w) => w !== wrapper);
  };
}

/**
 * Runs one try under Node's `TracingChannel` promise protocol, as `tracePromise` does, for a
 * try that may also return a plain value or throw: `start` (with the stores bound to it, so an
 * APM's context is active while the hook runs), then `end` after the synchronous part, `error`
 * for a throw or a rejection, and `asyncStart`/`asyncEnd` once a returned promise settled. A
 * subscriber that throws is Node's to report; the try's own result is returned unchanged.
 */
export function traceTry(channel: Channels, context: AttemptTraceContext, call: () => unknown): unknown {
  const around = wrappers;
  if (around.length === 0) return traceCall(channel, context, call);
  return traceCall(channel, context, () => wrapped(around, 0, context, call));
}

function wrapped(around: readonly TryWrapper[], i: number, context: AttemptTraceContext, call: () => unknown): unknown {
  return i === around.length ? call() : around[i]!(context, () => wrapped(around, i + 1, context, call));
}

/**
 * Runs one `startAll` or `stopAll` body under the promise protocol of `bandmaster:run`.
 *
 * @returns the body's promise, unchanged.
 */
export function traceRun<T>(channel: TracingChannel<object, RunTraceContext>, context: RunTraceContext, body: () => Promise<T>): Promise<T> {
  return traceCall(channel, context, body) as Promise<T>;
}

function traceCall<C extends Settled>(channel: TracingChannel<object, C>, context: C, call: () => unknown): unknown {
  return channel.start.runStores(context, () => {
    try {
      const result = call();
      if (isThenable(result)) {
        Promise.resolve(result).then(
          (value: unknown) => {
            context.result = value;
            channel.asyncStart.publish(context);
            channel.asyncEnd.publish(context);
          },
          (error: unknown) => {
            context.error = error;
            channel.error.publish(context);
            channel.asyncStart.publish(context);
            channel.asyncEnd.publish(context);
          },
        );
      } else {
        context.result = result;
      }
      return result;
    } catch (error) {
      context.error = error;
      channel.error.publish(context);
      throw error;
    } finally {
      channel.end.publish(context);
    }
  });
}
