import type { TracingChannel } from 'node:diagnostics_channel';
import { isThenable } from '../lifecycle/retry';

/** The tracing channels of start and stop attempts, named in DESIGN.md. */
export const START_CHANNEL = 'bandmaster:start';
export const STOP_CHANNEL = 'bandmaster:stop';

/** What the tracing channels carry for one attempt: `result` or `error` once it settled. */
export interface AttemptTraceContext {
  readonly service: string;
  readonly attempt: number;
  result?: unknown;
  error?: unknown;
}

type Channels = TracingChannel<object, AttemptTraceContext>;

// made on the first attempt, and held: a channel nobody references may be collected with its
// subscribers (Node < 22)
let channels: { readonly start: Channels; readonly stop: Channels } | undefined;

/**
 * The tracing channel of `phase` when anyone listens to it, else undefined: one `hasSubscribers`
 * read per attempt while nobody does, and no context is built.
 */
export function attemptChannel(phase: 'start' | 'stop'): Channels | undefined {
  if (channels === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const diagnostics = require('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
    channels = { start: diagnostics.tracingChannel(START_CHANNEL), stop: diagnostics.tracingChannel(STOP_CHANNEL) };
  }
  const channel = channels[phase];
  return channel.hasSubscribers ? channel : undefined;
}

/**
 * Runs one try under Node's `TracingChannel` promise protocol, as `tracePromise` does, for a
 * try that may also return a plain value or throw: `start` (with the stores bound to it, so an
 * APM's context is active while the hook runs), then `end` after the synchronous part, `error`
 * for a throw or a rejection, and `asyncStart`/`asyncEnd` once a returned promise settled. A
 * subscriber that throws is Node's to report; the try's own result is returned unchanged.
 */
export function traceTry(channel: Channels, context: AttemptTraceContext, call: () => unknown): unknown {
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
