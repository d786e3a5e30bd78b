import type { Logger } from './logger';

/** The key under which a default logger keeps what its fast path needs. */
export const DEFAULT_SINK = Symbol('bandmaster.logger.defaultSink');

type Winston = typeof import('winston');
type WinstonLogger = import('winston').Logger;
type LogInfo = { level: string; message: unknown; [key: string]: unknown };

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
const MESSAGE = Symbol.for('message');

/** What {@link directPrefix} needs to know of a default logger: its own format and transport. */
interface FastSink {
  readonly format: object;
  readonly transport: object;
  readonly levels: Readonly<Record<string, number>>;
  readonly stamped: boolean;
}

/**
 * The default logger: winston with one format (a JSON line) and one transport (stdout, written
 * synchronously: winston's Console transport schedules a `setImmediate` per line to emit
 * `logged`, ~1 µs of every line here).
 */
export function createWinstonLogger(level: string, stamped: boolean): Logger {
  // loaded on first use: an app that brings its own logger never pays for winston
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const winston = require('winston') as Winston;
  const format = winston.format.printf(stamped ? stampedLine : jsonLine);
  const transport = new (stdoutTransport(winston))();
  const logger = winston.createLogger({ level: (LEVELS as readonly string[]).includes(level) ? level : 'info', format, transports: [transport] });
  const sink: FastSink = { format, transport, levels: logger.levels, stamped };
  Object.defineProperty(logger, DEFAULT_SINK, { value: sink });
  return logger;
}

type TransportClass = new () => import('winston-transport');
let transportClass: TransportClass | undefined;

function stdoutTransport(winston: Winston): TransportClass {
  // winston's index exports the class as `Transport`, its types as `transport`
  const Base = (winston as unknown as { Transport: TransportClass }).Transport;
  transportClass ??= class StdoutTransport extends Base {
    override log(info: Record<symbol, unknown>, next: () => void): void {
      process.stdout.write(`${String(info[MESSAGE])}\n`);
      next();
    }
  };
  return transportClass;
}

/** The start of an unstamped direct line, per level: everything before the message's JSON. */
const PREFIX: Readonly<Record<'info' | 'warn', string>> = { info: '{"level":"info","msg":', warn: '{"level":"warn","msg":' };

/**
 * Where one lifecycle line of a default logger can go straight to stdout, the same bytes its
 * winston format and transport would write, when nothing was changed on it since it was made (its
 * format, transports, level filters, `silent`, `defaultMeta`, no `data` listener but the one its
 * pipe to the transport adds): winston's stream pipeline costs ~3 µs a line here, building the
 * line and writing it ~1.5 µs. Returns the line's start up to its message (`{"level":…,"msg":`,
 * with `"time"` when stamped), `''` when the level is off (nothing is written by either path, so
 * nothing needs building), or undefined when the logger is not such a logger or was changed: the
 * caller then logs through winston.
 */
export function directPrefix(log: Logger, level: 'info' | 'warn'): string | undefined {
  const sink = (log as { [DEFAULT_SINK]?: FastSink })[DEFAULT_SINK];
  if (sink === undefined) return undefined;
  const w = log as unknown as WinstonLogger & { defaultMeta?: unknown; _readableState: { pipes: unknown } };
  if (w.format !== sink.format || w.levels !== sink.levels || w.silent || (w.defaultMeta !== undefined && w.defaultMeta !== null)) return undefined;
  const pipes = w._readableState.pipes;
  // winston's readable-stream keeps a single pipe as itself, several in an array
  if (pipes !== sink.transport && !(Array.isArray(pipes) && pipes.length === 1 && pipes[0] === sink.transport)) return undefined;
  // a 'data' listener reads every line the logger's stream carries; the pipe to the transport
  // added one of its own (readable-stream's pipe reads through 'data')
  if (w.listenerCount('data') > 1) return undefined;
  const transport = sink.transport as { level?: string; silent?: boolean; format?: unknown };
  if (transport.level !== undefined || transport.silent || transport.format !== undefined) return undefined;
  // below the logger's level: written by neither path
  if (!(sink.levels[level]! <= (sink.levels[w.level] ?? -1))) return '';
  return sink.stamped ? `{"level":"${level}","time":"${new Date().toISOString()}","msg":` : PREFIX[level];
}

/**
 * `{"level","msg",...fields}`: the fields copied by hand, since rest and spread cost
 * microseconds per line here. A field called `msg` wins over the message, as a spread would.
 */
function jsonLine(info: LogInfo): string {
  const out: Record<string, unknown> = { level: info.level, msg: info.message };
  for (const key of Object.keys(info)) if (key !== 'level' && key !== 'message') out[key] = info[key];
  return JSON.stringify(out);
}

/** {@link jsonLine} with `time` after `level`; a field called `time` wins, as in jsonLine. */
function stampedLine(info: LogInfo): string {
  const out: Record<string, unknown> = { level: info.level, time: new Date().toISOString(), msg: info.message };
  for (const key of Object.keys(info)) if (key !== 'level' && key !== 'message') out[key] = info[key];
  return JSON.stringify(out);
}
