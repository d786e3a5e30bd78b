/**
 * The one place where a delay becomes a timer. Node turns any delay above 2^31-1 ms (about 24.8
 * days) into 1 ms, so a timeout of `1000h` or `3e9` would fire at once. Every timer bandmaster sets,
 * and every duration it parses, goes through {@link clampDelay}.
 */

/** The longest delay a Node timer honours: 2^31-1 ms. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * A delay a timer can honour: `NaN` and negatives become 0, anything above {@link MAX_DELAY_MS}
 * (and `Infinity`) becomes {@link MAX_DELAY_MS}. Never shrinks a long delay to a short one.
 */
export function clampDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_DELAY_MS ? MAX_DELAY_MS : ms;
}
