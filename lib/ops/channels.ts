import type { LifecycleEvents } from '../events';

/**
 * The part of a `diagnostics_channel` Channel the containers use, written out so that the
 * declarations do not need `@types/node`.
 */
export interface LifecycleChannel {
  /** Whether anyone subscribed. */
  readonly hasSubscribers: boolean;
  /** Sends `message` to the subscribers. */
  publish(message: unknown): void;
}

/** The channel that carries every lifecycle event, named in DESIGN.md. */
export const LIFECYCLE_CHANNEL = 'bandmaster:lifecycle';

// held here once made: a channel nobody references may be collected with its subscribers (Node < 22)
let lifecycle: LifecycleChannel | undefined;

/**
 * The `diagnostics_channel` `bandmaster:lifecycle`, made on first use (so importing bandmaster
 * loads no `node:diagnostics_channel`). Every container publishes its events on it while it has
 * subscribers. Internal.
 */
export function lifecycleChannel(): LifecycleChannel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (lifecycle ??= (require('node:diagnostics_channel') as typeof import('node:diagnostics_channel')).channel(LIFECYCLE_CHANNEL));
}

/**
 * Kept for code written before every container published by itself: each container publishes
 * its lifecycle events on the `diagnostics_channel` `bandmaster:lifecycle` (each message is the
 * {@link LifecycleEvent} itself) while the channel has subscribers, and builds no event for it
 * while it has none. This call adds nothing, so no event is published twice.
 *
 * @deprecated subscribe to `bandmaster:lifecycle` ({@link LIFECYCLE_CHANNEL}) without it.
 * @returns a function that does nothing.
 * @throws never.
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe('bandmaster:lifecycle', (event) => console.log(event));
 * ```
 */
export function publishLifecycle(_events: LifecycleEvents): () => void {
  return () => undefined;
}
