import type { Channel } from 'node:diagnostics_channel';
import { whileEnabled, type LifecycleEvents } from '../events';

/** The channel that carries every lifecycle event, named in DESIGN.md. */
export const LIFECYCLE_CHANNEL = 'bandmaster:lifecycle';

// held here once made: a channel nobody references may be collected with its subscribers (Node < 22)
let lifecycle: Channel | undefined;

/**
 * Publishes a container's lifecycle events on the `diagnostics_channel` `bandmaster:lifecycle`
 * (each message is the {@link LifecycleEvent} itself). While the channel has no subscriber the
 * container builds no event for it, so an idle channel costs one `hasSubscribers` read per
 * lifecycle step.
 *
 * @returns a function that stops publishing.
 * @throws never.
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * publishLifecycle(container.events);
 * diagnostics.subscribe('bandmaster:lifecycle', (event) => console.log(event));
 * ```
 */
export function publishLifecycle(events: LifecycleEvents): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const channel = (lifecycle ??= (require('node:diagnostics_channel') as typeof import('node:diagnostics_channel')).channel(LIFECYCLE_CHANNEL));
  return events[whileEnabled]((event) => channel.publish(event), () => channel.hasSubscribers);
}
