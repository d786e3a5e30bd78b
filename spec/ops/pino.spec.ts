import 'reflect-metadata';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Container, createDefaultLogger, fromPino, isBandmasterError, type Logger, type PinoLike } from '../../lib';
import { captureWinston } from '../support/log-capture';

/** A real pino logger writing JSON lines into memory. */
function memoryPino(level = 'info'): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, base: undefined, timestamp: false }, sink), lines };
}

async function bootFlaky(container: Container): Promise<void> {
  let calls = 0;
  container.register({ name: 'db', retries: 1, backoff: 1, useFactory: () => (++calls === 1 ? Promise.reject(new Error('refused')) : {}) });
  await container.startAll();
  await container.stopAll();
}

describe('fromPino', () => {
  it('writes the same messages and fields as the default logger, through pino', async () => {
    const { logger, lines } = memoryPino();
    await bootFlaky(new Container({ logger: fromPino(logger) }));
    const winston = createDefaultLogger('info');
    const expected = captureWinston(winston);
    await bootFlaky(new Container({ logger: winston as NonNullable<typeof winston> }));
    const strip = (l: Record<string, unknown>) => {
      const { level: _level, durationMs: _d, ...rest } = l;
      return rest;
    };
    assert.equal(lines.length, 6);
    assert.deepEqual(lines.map(strip), expected.map(strip));
    assert.deepEqual(lines.map((l) => l['level']), [30, 30, 30, 30, 30, 30]);
    assert.deepEqual(lines[1], { level: 30, msg: 'service failed to start, retrying in 1ms...', service: 'db', error: 'refused', attempt: 1 });
  });

  it('writes nothing and builds no fields below pino level', async () => {
    const { logger, lines } = memoryPino('warn');
    const adapter = fromPino(logger);
    assert.equal(adapter.isLevelEnabled('info'), false);
    assert.equal(adapter.isLevelEnabled('warn'), true);
    await bootFlaky(new Container({ logger: adapter }));
    assert.deepEqual(lines, []);
  });

  it('keeps the bindings of a child logger', async () => {
    const { logger, lines } = memoryPino();
    await bootFlaky(new Container({ logger: fromPino(logger.child({ component: 'bandmaster' })) }));
    assert.ok(lines.length > 0);
    assert.ok(lines.every((l) => l['component'] === 'bandmaster'));
  });

  it('rejects a value that is not a pino logger with an InvalidArgument naming the missing methods', () => {
    assert.throws(
      () => fromPino({ info: () => undefined } as unknown as PinoLike),
      (err: unknown) => isBandmasterError(err, 'InvalidArgument') && /no error, warn, debug method/.test(err.message) && err.service === 'fromPino',
    );
    assert.throws(() => fromPino(null as unknown as PinoLike), (err: unknown) => isBandmasterError(err, 'InvalidArgument'));
  });
});

describe('createDefaultLogger', () => {
  it('adds an ISO timestamp after the level only when asked to', async () => {
    const stamped = createDefaultLogger('info', { timestamp: true });
    const lines = captureWinston(stamped);
    const before = Date.now();
    await bootFlaky(new Container({ logger: stamped as NonNullable<typeof stamped> }));
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.deepEqual(Object.keys(line).slice(0, 3), ['level', 'time', 'msg']);
      const time = Date.parse(String(line['time']));
      assert.ok(time >= before - 1000 && time <= Date.now() + 1000, `time ${String(line['time'])}`);
      assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const plain = createDefaultLogger('info');
    const plainLines = captureWinston(plain);
    await bootFlaky(new Container({ logger: plain as NonNullable<typeof plain> }));
    assert.ok(plainLines.length > 0 && plainLines.every((l) => !('time' in l)));
  });

  it('turns the timestamp on from BANDMASTER_LOG_TIMESTAMP', () => {
    const saved = process.env['BANDMASTER_LOG_TIMESTAMP'];
    try {
      process.env['BANDMASTER_LOG_TIMESTAMP'] = 'true';
      const logger = createDefaultLogger('info');
      const lines = captureWinston(logger);
      (logger as Logger).info('hello', { a: 1 });
      assert.equal(typeof lines[0]?.['time'], 'string');
      assert.equal(lines[0]?.msg, 'hello');
    } finally {
      if (saved === undefined) delete process.env['BANDMASTER_LOG_TIMESTAMP'];
      else process.env['BANDMASTER_LOG_TIMESTAMP'] = saved;
    }
  });
});
