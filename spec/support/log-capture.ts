import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../lib/logger';

/** A parsed JSON log line. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/**
 * Points a winston logger at memory instead of stdout: every line it writes lands in `lines`,
 * parsed from JSON.
 */
export function captureWinston(logger: Logger | false): LogLine[] {
  assert(logger, 'expected a winston logger, got false');
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const winstonLogger = logger as winston.Logger;
  winstonLogger.clear();
  winstonLogger.add(new winston.transports.Stream({ stream: sink }));
  return lines;
}

/** A {@link Logger} that keeps every call as `[level, message, fields]`. */
export class MemoryLogger implements Logger {
  readonly calls: [string, string, Record<string, unknown> | undefined][] = [];

  error(message: string, fields?: Record<string, unknown>): void {
    this.calls.push(['error', message, fields]);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.calls.push(['warn', message, fields]);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.calls.push(['info', message, fields]);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.calls.push(['debug', message, fields]);
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
