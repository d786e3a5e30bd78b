import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, createDefaultLogger, getGlobalLogger, setGlobalLogger } from '../../lib';
import { turns } from '../support/deferred';
import { bootError } from '../support/errors';
import { FakeClock } from '../support/fake-clock';
import { captureWinston, MemoryLogger } from '../support/log-capture';

/** The Go original's quickstart: mc-x cannot start, retries twice with 100ms backoff, and gives up. */
async function bootAndStopQuickstart(container: Container, clock: FakeClock): Promise<void> {
  container.register(
    { name: 'mc-2', required: false, useFactory: () => ({}), onStop: () => undefined },
    {
      name: 'mc-x',
      retries: 2,
      backoff: 100,
      dependsOn: ['mc-2'],
      useFactory: () => ({}),
      onStart: () => Promise.reject(new Error("dial tcp 127.0.0.1:0: connect: can't assign requested address")),
    },
  );
  const boot = bootError(container.startAll());
  clock.advance((await clock.nextSleep()).ms);
  clock.advance((await clock.nextSleep()).ms);
  await boot;
  await container.stopAll();
  await turns(2);
}

const dial = "dial tcp 127.0.0.1:0: connect: can't assign requested address";

describe('logger', () => {
  it('writes the Go messages as JSON lines through winston', async () => {
    const logger = createDefaultLogger('debug');
    const lines = captureWinston(logger);
    const clock = new FakeClock();
    const container = new Container({ logger: logger as NonNullable<typeof logger>, clock });
    await bootAndStopQuickstart(container, clock);
    assert.deepEqual(lines, [
      { level: 'info', msg: 'starting service...', service: 'mc-2', attempt: 1 },
      { level: 'info', msg: 'service successfully started', service: 'mc-2', required: false, attempt: 1, durationMs: 0 },
      { level: 'info', msg: 'starting service...', service: 'mc-x', attempt: 1 },
      { level: 'info', msg: 'service failed to start, retrying in 100ms...', service: 'mc-x', error: dial, attempt: 1 },
      { level: 'info', msg: 'starting service...', service: 'mc-x', attempt: 2 },
      { level: 'info', msg: 'service failed to start, retrying in 200ms...', service: 'mc-x', error: dial, attempt: 2 },
      { level: 'info', msg: 'starting service...', service: 'mc-x', attempt: 3 },
      { level: 'warn', msg: 'service failed to start', service: 'mc-x', required: true, error: dial, attempt: 3 },
      { level: 'info', msg: 'stopping service...', service: 'mc-2', attempt: 1 },
      { level: 'info', msg: 'service successfully stopped', service: 'mc-2', required: false, durationMs: 0 },
    ]);
  });

  it('writes to any object with error, warn, info and debug methods', async () => {
    const logger = new MemoryLogger();
    const clock = new FakeClock();
    const container = new Container({ logger, clock });
    await bootAndStopQuickstart(container, clock);
    assert.deepEqual(logger.calls.map(([level, message]) => `${level}: ${message}`), [
      'info: starting service...',
      'info: service successfully started',
      'info: starting service...',
      'info: service failed to start, retrying in 100ms...',
      'info: starting service...',
      'info: service failed to start, retrying in 200ms...',
      'info: starting service...',
      'warn: service failed to start',
      'info: stopping service...',
      'info: service successfully stopped',
    ]);
  });

  it('takes its level from BANDMASTER_LOG_LEVEL, and stays quiet when it says silent', () => {
    const saved = process.env['BANDMASTER_LOG_LEVEL'];
    try {
      const levelFor = (value: string | undefined): unknown => {
        if (value === undefined) delete process.env['BANDMASTER_LOG_LEVEL'];
        else process.env['BANDMASTER_LOG_LEVEL'] = value;
        const logger = createDefaultLogger();
        return logger === false ? false : (logger as unknown as { level: string }).level;
      };
      assert.deepEqual(['warn', 'DEBUG', ' error ', 'nonsense', undefined, 'silent', 'off'].map(levelFor), ['warn', 'debug', 'error', 'info', 'info', false, false]);
    } finally {
      if (saved === undefined) delete process.env['BANDMASTER_LOG_LEVEL'];
      else process.env['BANDMASTER_LOG_LEVEL'] = saved;
    }
  });

  it('filters lines below its level', async () => {
    const logger = createDefaultLogger('warn');
    const lines = captureWinston(logger);
    const clock = new FakeClock();
    await bootAndStopQuickstart(new Container({ logger: logger as NonNullable<typeof logger>, clock }), clock);
    assert.deepEqual(lines.map((l) => [l.level, l.msg, l['service']]), [['warn', 'service failed to start', 'mc-x']]);
  });

  it('goes to the global logger for containers without their own, read at each event', async () => {
    const first = new MemoryLogger();
    const second = new MemoryLogger();
    const previous = setGlobalLogger(first);
    try {
      const container = new Container();
      container.register({ name: 'a', useValue: 1 });
      await container.startAll();
      assert.equal(setGlobalLogger(second), first);
      assert.equal(getGlobalLogger(), second);
      await container.stopAll();
      assert.deepEqual(first.calls.map((c) => c[1]), ['starting service...', 'service successfully started']);
      assert.deepEqual(second.calls.map((c) => c[1]), ['stopping service...', 'service successfully stopped']);
    } finally {
      setGlobalLogger(previous);
    }
  });

  it('writes nothing when a container is created with logger: false', async () => {
    const global = new MemoryLogger();
    const previous = setGlobalLogger(global);
    try {
      const container = new Container({ logger: false });
      container.register({ name: 'a', useValue: 1 });
      await container.startAll();
      await container.stopAll();
      assert.deepEqual(global.calls, []);
    } finally {
      setGlobalLogger(previous);
    }
  });
});
