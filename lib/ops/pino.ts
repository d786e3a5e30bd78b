import { BandmasterError } from '../errors';
import type { Logger } from '../logger';

/** The part of a pino logger (or a pino child) that {@link fromPino} uses. */
export interface PinoLike {
  /** pino's `logger.error(fields, message)`. */
  error(fields: object, message: string): unknown;
  /** pino's `logger.warn(fields, message)`. */
  warn(fields: object, message: string): unknown;
  /** pino's `logger.info(fields, message)`. */
  info(fields: object, message: string): unknown;
  /** pino's `logger.debug(fields, message)`. */
  debug(fields: object, message: string): unknown;
  /** pino's level test; when present, events below the level cost nothing. */
  isLevelEnabled?(level: string): boolean;
}

/** A bandmaster {@link Logger} that also tells which levels are on. */
export interface PinoAdapter extends Logger {
  /** True when the pino logger writes this level. */
  isLevelEnabled(level: string): boolean;
}

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Wraps a pino logger as a bandmaster {@link Logger}: the same messages and fields as the default
 * winston logger, written with pino's `(fields, message)` order, at pino's level (events below it
 * are not even built into fields). Works with a child logger (`logger.child({ component })`).
 *
 * @throws BandmasterError `InvalidArgument` when `logger` lacks one of `error`, `warn`, `info`,
 * `debug`.
 * @example
 * ```ts
 * import pino from 'pino';
 * const container = new Container({ logger: fromPino(pino()) });
 * ```
 */
export function fromPino(logger: PinoLike): PinoAdapter {
  const missing = LEVELS.filter((level) => typeof (logger as unknown as Record<string, unknown> | null)?.[level] !== 'function');
  if (missing.length > 0) {
    throw new BandmasterError('InvalidArgument', {
      service: 'fromPino',
      detail: `expected a pino logger (pino() or logger.child(...)); it has no ${missing.join(', ')} method`,
    });
  }
  const enabled = typeof logger.isLevelEnabled === 'function' ? (level: string) => logger.isLevelEnabled!(level) : () => true;
  return {
    error: (message, fields) => logger.error(fields ?? EMPTY, message),
    warn: (message, fields) => logger.warn(fields ?? EMPTY, message),
    info: (message, fields) => logger.info(fields ?? EMPTY, message),
    debug: (message, fields) => logger.debug(fields ?? EMPTY, message),
    isLevelEnabled: enabled,
  };
}
