/** The logging child's mode that calls pino alone (the same synchronous destination), the floor of the fromPino mode (logging-child.ts). */
export const PINO_ALONE = 'pino alone, the same 4 lines (no container)';

/** The logging child's mode that writes the default logger's 4 lines with process.stdout.write alone: the floor of its info mode. */
export const STDOUT_ALONE = 'stdout.write alone, the same 4 lines (no container)';

/**
 * The logging child's mode that logs through `fromPino`, to pino's synchronous destination (each
 * line written inside the call, as `process.stdout.write` does; pino's default destination writes
 * on libuv's thread pool after the call returns, outside what a mode measures).
 */
export const FROM_PINO = 'fromPino(pino(pino.destination({ sync: true }))), level info';

/**
 * The logging child's mode with `logger: false` and one listener that does nothing: what building
 * and delivering the 4 lifecycle events costs, the part of any logger's figure that is not the
 * logger's.
 */
export const NOOP_LISTENER = 'a no-op listener (events built, nothing written), logger: false';

/**
 * The logging child's mode with `logger: false` and a hand-written listener that writes the same 4
 * lines with pino (the same destination) from each event: what a pino integration over the
 * events costs at least; `fromPino`'s figure over it is what the adapter adds.
 */
export const PINO_LISTENER = 'pino from a hand-written listener, the same 4 lines, logger: false';
