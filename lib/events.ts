import type { BandmasterError } from './errors';

interface EventBase {
  /** Service name. */
  readonly service: string;
  /** The service is required: its start failure fails the boot. */
  readonly required: boolean;
  /** Attempt number, from 1 (0 when the service failed without an attempt, e.g. a dependency failed). */
  readonly attempt: number;
}

/** A lifecycle event, as emitted by the container. Discriminate on `type`. */
export type LifecycleEvent =
  | (EventBase & {
      /** A start attempt begins. */
      readonly type: 'starting';
    })
  | (EventBase & {
      /** The service is started. */
      readonly type: 'started';
      /** From its first attempt, in ms. */
      readonly durationMs: number;
    })
  | (EventBase & {
      /** A start attempt failed; another follows. */
      readonly type: 'start-retrying';
      /** Backoff before the next attempt, in ms. */
      readonly delayMs: number;
      /** Why the attempt failed. */
      readonly error: unknown;
    })
  | (EventBase & {
      /** The service failed to start. */
      readonly type: 'start-failed';
      /** Its error; `cause` holds the last attempt's error, the failed dependency's, or the abort reason. */
      readonly error: BandmasterError;
    })
  | (EventBase & {
      /** A stop attempt begins. */
      readonly type: 'stopping';
    })
  | (EventBase & {
      /** The service is stopped. */
      readonly type: 'stopped';
      /** Of the stop, in ms. */
      readonly durationMs: number;
    })
  | (EventBase & {
      /** A stop attempt failed; another follows. */
      readonly type: 'stop-retrying';
      /** Backoff before the next attempt, in ms. */
      readonly delayMs: number;
      /** Why the attempt failed. */
      readonly error: unknown;
    })
  | (EventBase & {
      /** The service failed to stop; it stays started. */
      readonly type: 'stop-failed';
      /** Its error; `cause` holds the last attempt's error, the failed dependent's, or the abort reason. */
      readonly error: BandmasterError;
    });

/** The `type` of a {@link LifecycleEvent}. */
export type LifecycleEventType = LifecycleEvent['type'];

/** Receives lifecycle events. Listeners run synchronously; a throwing listener is isolated. */
export type LifecycleListener = (event: LifecycleEvent) => void;

/**
 * The container's event stream. Emitting costs nothing when nobody listens: callers check
 * {@link LifecycleEvents.active} before building an event.
 */
export class LifecycleEvents {
  #listeners: LifecycleListener[] = [];

  /** True when at least one listener is subscribed. */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /**
   * Subscribes; returns the function that unsubscribes.
   *
   * @example
   * ```ts
   * const off = container.events.on((e) => { if (e.type === 'start-failed') alert(e.error); });
   * ```
   */
  on(listener: LifecycleListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => this.off(listener);
  }

  /** Unsubscribes a listener. */
  off(listener: LifecycleListener): void {
    this.#listeners = this.#listeners.filter((l) => l !== listener);
  }

  /** Delivers an event to every listener. */
  emit(event: LifecycleEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // a broken listener must not break the lifecycle it observes
        process.emitWarning(`bandmaster: a lifecycle listener threw: ${String(err)}`);
      }
    }
  }
}
