import diagnostics from 'node:diagnostics_channel';
import { whileEnabled, type LifecycleEvents } from '../events';

/** The channel that carries every lifecycle event, named in DESIGN.md. */
export const LIFECYCLE_CHANNEL = 'bandmaster:lifecycle';

// held here: a channel nobody references may be collected with its subscribers (Node < 22)
const lifecycle = diagnostics.channel(LIFECYCLE_CHANNEL);

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
  return events[whileEnabled]((event) => lifecycle.publish(event), () => lifecycle.hasSubscribers);
}
