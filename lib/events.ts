import type { BandmasterError } from './errors';

interface EventBase {
  /** Service name. */
  readonly service: string;
  readonly required: boolean;
  /** Attempt number, from 1 (0 when the service failed without an attempt, e.g. a dependency failed). */
  readonly attempt: number;
}

/** A lifecycle event, as emitted by the container. Discriminate on `type`. */
export type LifecycleEvent =
  | (EventBase & { readonly type: 'starting' })
  | (EventBase & { readonly type: 'started'; readonly durationMs: number })
  | (EventBase & { readonly type: 'start-retrying'; readonly delayMs: number; readonly error: unknown })
  | (EventBase & { readonly type: 'start-failed'; readonly error: BandmasterError })
  | (EventBase & { readonly type: 'stopping' })
  | (EventBase & { readonly type: 'stopped'; readonly durationMs: number })
  | (EventBase & { readonly type: 'stop-retrying'; readonly delayMs: number; readonly error: unknown })
  | (EventBase & { readonly type: 'stop-failed'; readonly error: BandmasterError });

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
