import type { BandmasterError } from './errors';
import { describeSafely } from './lifecycle/outcome';
import { lifecycleChannel } from './ops/channels';

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
    })
  | (EventBase & {
      /** A started service is lost: its health check failed `healthFailures` times, or its provider reported its client closed for good. */
      readonly type: 'lost';
      /** Why it is lost. */
      readonly error: unknown;
    })
  | (EventBase & {
      /** The service and its started dependents are about to be restarted (a loss, or `restart(token)`). */
      readonly type: 'restarting';
      /** Why: the loss's error, or undefined for `restart(token)`. */
      readonly reason: unknown;
    })
  | (EventBase & {
      /** The service and its dependents are started again, with fresh instances. */
      readonly type: 'restarted';
      /** From `restarting` to `restarted`, in ms. */
      readonly durationMs: number;
    })
  | (EventBase & {
      /** The service could not come back, or was given up (more than `maxRestarts` within `withinMs`). */
      readonly type: 'restart-failed';
      /** Why. */
      readonly error: BandmasterError;
    })
  | (EventBase & {
      /** An `exclusive` service's lock was taken by this replica: it starts here. */
      readonly type: 'acquired';
      /** The lock's key. */
      readonly key: string;
      /** The fencing token: an integer that grows with every new holder of the key. */
      readonly token: number;
    })
  | (EventBase & {
      /** This replica gave an `exclusive` service's lock back (after stopping it, or after a failed start). */
      readonly type: 'released';
      /** The lock's key. */
      readonly key: string;
    })
  | (EventBase & {
      /** The service stands by: another replica holds its (or its dependency's) `exclusive` lock. */
      readonly type: 'standby';
    });

/** The `type` of a {@link LifecycleEvent}. */
export type LifecycleEventType = LifecycleEvent['type'];

/** Receives lifecycle events. Listeners run synchronously; a throwing listener is isolated. */
export type LifecycleListener = (event: LifecycleEvent) => void;

interface Subscription {
  readonly listener: LifecycleListener;
  readonly enabled: (() => boolean) | undefined;
}

/** Key of {@link LifecycleEvents}' internal gated subscribe; not exported by the package. */
export const whileEnabled = Symbol('bandmaster.events.whileEnabled');

/**
 * The container's event stream. Emitting costs nothing when nobody listens: callers check
 * {@link LifecycleEvents.active} before building an event.
 */
export class LifecycleEvents {
  // copied on write: an emit in progress keeps the list it started with
  #subscriptions: readonly Subscription[] = [];

  /**
   * True when at least one listener is subscribed (and, for a gated one, enabled right now), or
   * the `diagnostics_channel` `bandmaster:lifecycle` has a subscriber.
   */
  get active(): boolean {
    if (lifecycleChannel().hasSubscribers) return true;
    for (const s of this.#subscriptions) if (s.enabled === undefined || s.enabled()) return true;
    return false;
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
    return this.#subscribe(listener, undefined);
  }

  /**
   * Subscribes a listener that only wants events while `enabled()` is true (the logger, while
   * there is a logger): while none wants them, {@link LifecycleEvents.active} is false and the
   * lifecycle builds no events at all. Internal: not part of the public API.
   */
  [whileEnabled](listener: LifecycleListener, enabled: () => boolean): () => void {
    return this.#subscribe(listener, enabled);
  }

  #subscribe(listener: LifecycleListener, enabled: (() => boolean) | undefined): () => void {
    this.#subscriptions = [...this.#subscriptions, { listener, enabled }];
    return () => this.off(listener);
  }

  /** Unsubscribes a listener. */
  off(listener: LifecycleListener): void {
    this.#subscriptions = this.#subscriptions.filter((s) => s.listener !== listener);
  }

  /** Delivers an event to every listener, and publishes it on `bandmaster:lifecycle` while that channel has subscribers. */
  emit(event: LifecycleEvent): void {
    const channel = lifecycleChannel();
    // a throwing channel subscriber is Node's to report (diagnostics_channel's own convention)
    if (channel.hasSubscribers) channel.publish(event);
    for (const { listener, enabled } of this.#subscriptions) {
      if (enabled !== undefined && !enabled()) continue;
      try {
        listener(event);
      } catch (err) {
        // a broken listener must not break the lifecycle it observes
        // whatever it threw: rendering it must not throw either
        process.emitWarning(`bandmaster: a lifecycle listener threw: ${describeSafely(err)}`);
      }
    }
  }
}
