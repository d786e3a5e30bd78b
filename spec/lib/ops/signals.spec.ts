import 'reflect-metadata';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describe, it } from 'node:test';
import { BandmasterError, Container, handleSignals, healthHandler } from '../../../lib';
import { deferred } from '../../support/deferred';
import { MemoryLogger } from '../../support/log-capture';
import { get, serve, until } from './http-support';

// a real signal, sent to this process: SIGUSR2 has no other meaning for Node (SIGUSR1 opens the inspector)
const SIGNAL = 'SIGUSR2';
const raise = (): boolean => process.kill(process.pid, SIGNAL);

/** db <- api, both stopping into `stops` with the time they began to stop; db has a health check. */
function app(): { container: Container; stops: [string, number][] } {
  const stops: [string, number][] = [];
  const container = new Container({ logger: false });
  container.register(
    { name: 'db', useFactory: () => ({}), healthCheck: () => undefined, onStop: () => void stops.push(['db', performance.now()]) },
    { name: 'api', deps: ['db'], useFactory: () => ({}), onStop: () => void stops.push(['api', performance.now()]) },
  );
  return { container, stops };
}

/** The process's first receipt of the next SIGNAL, in performance.now() time. */
function signalSeen(): Promise<number> {
  return new Promise((resolve) => process.once(SIGNAL, () => resolve(performance.now())));
}

const notReady = async (base: string): Promise<boolean> => (await get(`${base}/readyz`)).status === 503;

describe('handleSignals', () => {
  describe('drainDelay', () => {
    it('answers 503 on /readyz during the drain while every service is still started, then stops them', async () => {
      const { container, stops } = app();
      await container.startAll();
      const base = await serve(healthHandler(container));
      assert.equal((await get(`${base}/readyz`)).status, 200);
      const logger = new MemoryLogger();
      const exited = deferred<number>();
      const seen = signalSeen();
      const remove = handleSignals(container, { drainDelay: 300, signals: [SIGNAL], logger, exit: exited.resolve });
      try {
        raise();
        const signalledAt = await seen;
        await until(() => notReady(base));
        assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'not ready', shuttingDown: true });
        assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['db', 'started'], ['api', 'started']]);
        assert.equal((await get(`${base}/livez`)).status, 200);
        assert.equal(stops.length, 0);
        assert.equal(await exited.promise, 0);
        assert.deepEqual(stops.map(([name]) => name), ['api', 'db']);
        // timers fire no earlier than asked; 1 ms of rounding between the two clocks
        assert.ok(stops[0]![1] - signalledAt >= 299, `stopped ${stops[0]![1] - signalledAt} ms after the signal`);
        assert.deepEqual(container.status().map((s) => s.state), ['stopped', 'stopped']);
        assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'not ready', shuttingDown: true });
        assert.deepEqual(logger.calls.map(([level, msg]) => [level, msg]), [
          ['info', 'received signal, readiness off, draining before the stop...'],
          ['info', 'drain over, stopping services...'],
          ['info', 'services stopped, exiting'],
        ]);
        assert.deepEqual(logger.calls[0]![2], { signal: SIGNAL, drainDelayMs: 300, timeoutMs: 10_000 });
      } finally {
        remove();
      }
    });

    it('ends the drain at a second signal and stops at once, cleanly', async () => {
      const { container, stops } = app();
      await container.startAll();
      const base = await serve(healthHandler(container));
      const logger = new MemoryLogger();
      const exited = deferred<number>();
      const remove = handleSignals(container, { drainDelay: 60_000, signals: [SIGNAL], logger, exit: exited.resolve });
      try {
        const t0 = performance.now();
        raise();
        await until(() => notReady(base));
        raise();
        assert.equal(await exited.promise, 0);
        assert.ok(performance.now() - t0 < 5_000, 'the 60 s drain was cut short');
        assert.deepEqual(stops.map(([name]) => name), ['api', 'db']);
        assert.deepEqual(logger.calls.map(([, msg]) => msg), [
          'received signal, readiness off, draining before the stop...',
          'received a second signal, ending the drain',
          'stopping services...',
          'services stopped, exiting',
        ]);
      } finally {
        remove();
      }
    });

    it('exits at once with 128 + the signal number at a signal during the stop that follows a drain', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), onStop: () => new Promise<void>(() => undefined) });
      await container.startAll();
      const exited = deferred<number>();
      const stopping = new Promise<void>((resolve) => container.events.on((e) => e.type === 'stopping' && resolve()));
      const remove = handleSignals(container, { drainDelay: 20, timeout: 2_000, signals: [SIGNAL], logger: false, exit: exited.resolve });
      try {
        raise();
        await stopping;
        raise();
        assert.equal(await exited.promise, 128 + constants.signals[SIGNAL]);
      } finally {
        remove();
      }
    });

    it('keeps readiness off during the drain even when a restart starts services again', async () => {
      const { container } = app();
      await container.startAll();
      const base = await serve(healthHandler(container));
      const exited = deferred<number>();
      const remove = handleSignals(container, { drainDelay: 60_000, signals: [SIGNAL], logger: false, exit: exited.resolve });
      try {
        raise();
        await until(() => notReady(base));
        await container.restart('db');
        assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['db', 'started'], ['api', 'started']]);
        assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'not ready', shuttingDown: true });
        raise();
        assert.equal(await exited.promise, 0);
      } finally {
        remove();
      }
    });

    it('turns readiness back on at the next boot after the stop', async () => {
      const { container } = app();
      await container.startAll();
      const base = await serve(healthHandler(container));
      const exited = deferred<number>();
      const remove = handleSignals(container, { drainDelay: 10, signals: [SIGNAL], logger: false, exit: exited.resolve });
      raise();
      assert.equal(await exited.promise, 0);
      remove();
      assert.equal((await get(`${base}/readyz`)).status, 503);
      await container.startAll();
      assert.deepEqual((await get(`${base}/readyz`)).body, { status: 'ready', shuttingDown: false });
      await container.stopAll();
    });

    it('rejects a drainDelay that is not a number of ms >= 0 with a typed error that names it', () => {
      for (const drainDelay of [-1, Number.NaN, Infinity, '5000' as unknown as number]) {
        assert.throws(
          () => handleSignals(new Container({ logger: false }), { drainDelay }),
          (err: unknown) => err instanceof BandmasterError && err.kind === 'InvalidArgument' && err.service === 'handleSignals' && /drainDelay must be a finite number of ms >= 0/.test(err.message),
        );
      }
      handleSignals(new Container({ logger: false }), { drainDelay: 0, signals: [SIGNAL] })();
    });
  });
});
