import { whileEnabled, type LifecycleEvent, type LifecycleEventType, type LifecycleEvents } from './events';
import { describeCause } from './errors';

/**
 * The logging surface bandmaster needs: `level(message, fields)`. A winston or console-like logger
 * fits as is; pino takes `(fields, message)`, so wrap it with `fromPino(logger)`.
 */
export interface Logger {
  /** A failure that needs attention. */
  error(message: string, fields?: Record<string, unknown>): unknown;
  /** A service failed to start or stop (after its last attempt). */
  warn(message: string, fields?: Record<string, unknown>): unknown;
  /** Lifecycle progress: starting, started, retrying, stopping, stopped. */
  info(message: string, fields?: Record<string, unknown>): unknown;
  /** Detail for troubleshooting. */
  debug(message: string, fields?: Record<string, unknown>): unknown;
}

const SILENT = new Set(['silent', 'off', 'none', 'false']);

let globalLogger: Logger | false | undefined;

/** Options of {@link createDefaultLogger}. */
export interface DefaultLoggerOptions {
  /**
   * Adds `"time"`, an ISO-8601 UTC timestamp, after `level` in every line. Default false (a log
   * collector usually stamps lines itself), or true when `BANDMASTER_LOG_TIMESTAMP` is `1`/`true`.
   */
  readonly timestamp?: boolean;
}

/**
 * Creates the default logger: winston, JSON lines `{"level","msg",...fields}` on stdout, level from
 * `BANDMASTER_LOG_LEVEL` (error, warn, info, debug, or silent; default info); with `timestamp`,
 * `{"level","time","msg",...fields}`.
 *
 * @example
 * ```ts
 * setGlobalLogger(createDefaultLogger('debug', { timestamp: true }));
 * ```
 */
export function createDefaultLogger(level = process.env['BANDMASTER_LOG_LEVEL'] ?? 'info', options: DefaultLoggerOptions = {}): Logger | false {
  const normalized = level.trim().toLowerCase();
  if (SILENT.has(normalized)) return false;
  const stamped = options.timestamp ?? /^(1|true|yes|on)$/i.test(process.env['BANDMASTER_LOG_TIMESTAMP']?.trim() ?? '');
  // loaded on first use, with winston: an app that brings its own logger never pays for either
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const winston = require('./default-logger') as typeof import('./default-logger');
  directPrefix = winston.directPrefix;
  defaultSink = winston.DEFAULT_SINK;
  return winston.createWinstonLogger(normalized, stamped);
}

/** Set once a default logger exists: its fast path (see default-logger.ts). */
let directPrefix: ((log: Logger, level: 'info' | 'warn') => string | undefined) | undefined;
/** The key under which a default logger keeps its fast path, once default-logger.ts is loaded. */
let defaultSink: symbol | undefined;

/** The process-wide logger used by containers created without a `logger` option. */
export function getGlobalLogger(): Logger | false {
  if (globalLogger === undefined) globalLogger = createDefaultLogger();
  return globalLogger;
}

/**
 * Replaces the process-wide logger (`false` silences it); returns the previous one. Containers
 * created without their own logger use the current one at each event.
 */
export function setGlobalLogger(logger: Logger | false): Logger | false {
  const previous = getGlobalLogger();
  globalLogger = logger;
  return previous;
}

/**
 * Subscribes a logger to a container's events, writing the Go original's messages. While there
 * is no logger (`false`), the container builds no events for it.
 */
export function attachLogger(events: LifecycleEvents, logger: () => Logger | false): () => void {
  const listener = (event: LifecycleEvent): void => {
    const target = logger();
    if (target) writeEvent(target, event);
  };
  return events[whileEnabled](listener, () => logger() !== false);
}

/** A logger that can tell whether a level is on (winston, pino): skipped levels cost nothing. */
interface LevelAware {
  isLevelEnabled(level: string): boolean;
}

/** The level each event is written at, by {@link writeEvent}. */
const LEVEL_OF: Readonly<Record<LifecycleEventType, 'info' | 'warn'>> = {
  starting: 'info',
  started: 'info',
  'start-retrying': 'info',
  'start-failed': 'warn',
  stopping: 'info',
  stopped: 'info',
  'stop-retrying': 'info',
  'stop-failed': 'warn',
  lost: 'warn',
  restarting: 'info',
  restarted: 'info',
  'restart-failed': 'warn',
  acquired: 'info',
  released: 'info',
  standby: 'info',
};

function writeEvent(log: Logger, e: LifecycleEvent): void {
  const level = LEVEL_OF[e.type] as 'info' | 'warn' | undefined;
  let prefix: string | undefined;
  if (defaultSink !== undefined && defaultSink in log) {
    // a default logger checks its level where it writes, cheaper than winston's isLevelEnabled
    prefix = level && directPrefix!(log, level);
    if (prefix === '') return;
    const line = prefix !== undefined ? frequentLine(e) : undefined;
    if (line !== undefined) return void process.stdout.write(prefix + line);
  } else if (level) {
    const aware = log as Partial<LevelAware>;
    if (typeof aware.isLevelEnabled === 'function' && !aware.isLevelEnabled(level)) return;
  }
  const service = e.service;
  switch (e.type) {
    case 'starting':
      return write(log, prefix, 'info', 'starting service...', { service, attempt: e.attempt });
    case 'started':
      return write(log, prefix, 'info', 'service successfully started', { service, required: e.required, attempt: e.attempt, durationMs: round(e.durationMs) });
    case 'start-retrying':
      return write(log, prefix, 'info', `service failed to start, retrying in ${e.delayMs}ms...`, { service, error: describeCause(e.error), attempt: e.attempt });
    case 'start-failed':
      return write(log, prefix, 'warn', 'service failed to start', { service, required: e.required, error: describeCause(e.error.cause ?? e.error), attempt: e.attempt });
    case 'stopping':
      return write(log, prefix, 'info', 'stopping service...', { service, attempt: e.attempt });
    case 'stopped':
      return write(log, prefix, 'info', 'service successfully stopped', { service, required: e.required, durationMs: round(e.durationMs) });
    case 'stop-retrying':
      return write(log, prefix, 'info', `service failed to stop, retrying in ${e.delayMs}ms...`, { service, error: describeCause(e.error), attempt: e.attempt });
    case 'stop-failed':
      return write(log, prefix, 'warn', 'service failed to stop', { service, required: e.required, error: describeCause(e.error.cause ?? e.error), attempt: e.attempt });
    case 'lost':
      return write(log, prefix, 'warn', 'service lost', { service, required: e.required, error: describeCause(e.error) });
    case 'restarting':
      return write(log, prefix, 'info', 'restarting service...', e.reason === undefined ? { service } : { service, reason: describeCause(e.reason) });
    case 'restarted':
      return write(log, prefix, 'info', 'service successfully restarted', { service, required: e.required, durationMs: round(e.durationMs) });
    case 'restart-failed':
      return write(log, prefix, 'warn', 'service failed to restart', { service, required: e.required, error: describeCause(e.error.cause ?? e.error) });
    case 'acquired':
      return write(log, prefix, 'info', 'lock acquired', { service, key: e.key, token: e.token });
    case 'released':
      return write(log, prefix, 'info', 'lock released', { service, key: e.key });
    case 'standby':
      return write(log, prefix, 'info', 'service on standby', { service, required: e.required });
    default:
      return assertNever(e);
  }
}

/**
 * The rest of a direct line (from the message's JSON to the newline) of the four events every
 * service has, built from precomputed parts: the bytes `JSON.stringify` of the message and fields
 * would give. Undefined for the other events, and for a field of an unexpected type (which
 * `JSON.stringify` might drop), which then take the general path.
 */
function frequentLine(e: LifecycleEvent): string | undefined {
  const { attempt, required } = e;
  if (typeof attempt !== 'number' || typeof required !== 'boolean' || typeof e.service !== 'string') return undefined;
  switch (e.type) {
    case 'starting':
      return `"starting service...","service":${JSON.stringify(e.service)},"attempt":${num(attempt)}}\n`;
    case 'started':
      return `"service successfully started","service":${JSON.stringify(e.service)},"required":${required},"attempt":${num(attempt)},"durationMs":${num(round(e.durationMs))}}\n`;
    case 'stopping':
      return `"stopping service...","service":${JSON.stringify(e.service)},"attempt":${num(attempt)}}\n`;
    case 'stopped':
      return `"service successfully stopped","service":${JSON.stringify(e.service)},"required":${required},"durationMs":${num(round(e.durationMs))}}\n`;
    default:
      return undefined;
  }
}

/** A number as `JSON.stringify` writes it. */
function num(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/**
 * One line: straight to stdout after `prefix` for an unchanged default logger (the fields' JSON,
 * minus its `{`, after the message, as its winston format puts them: fields always hold
 * `service`, never `level`, `time` or `msg`), else through the logger.
 */
function write(log: Logger, prefix: string | undefined, level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
  if (prefix !== undefined) process.stdout.write(`${prefix}${JSON.stringify(message)},${JSON.stringify(fields).slice(1)}\n`);
  else if (level === 'info') log.info(message, fields);
  else log.warn(message, fields);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function assertNever(e: never): never {
  throw new TypeError(`unknown lifecycle event: ${JSON.stringify(e)}`);
}
