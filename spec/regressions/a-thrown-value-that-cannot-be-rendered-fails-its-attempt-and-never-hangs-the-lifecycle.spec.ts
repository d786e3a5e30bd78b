import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, ShutdownError, isBandmasterError, type AnyDefinition } from '../../lib';
import { hostileValues } from '../lib/errors/hostile';

/** Settles within `ms`, or fails the test naming what hung. */
async function within<T>(what: string, promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

type Where = 'sync onStart' | 'async onStart' | 'factory' | 'async factory';

function throwing(where: Where, value: unknown): AnyDefinition {
  const raise = (): never => {
    throw value;
  };
  switch (where) {
    case 'sync onStart':
      return { name: 'faulty', useFactory: () => ({}), onStart: raise };
    case 'async onStart':
      return { name: 'faulty', useFactory: () => ({}), onStart: async () => raise() };
    case 'factory':
      return { name: 'faulty', useFactory: raise };
    case 'async factory':
      return { name: 'faulty', useFactory: async () => raise() };
  }
}

describe('a thrown value that cannot be rendered', () => {
  for (const { label, value } of hostileValues()) {
    for (const where of ['sync onStart', 'async onStart', 'factory', 'async factory'] as const) {
      it(`thrown by a ${where} (${label}) fails the attempt, its dependent and the boot`, async () => {
        const c = new Container({ logger: false });
        c.register(throwing(where, value), { name: 'dependent', useFactory: (x: unknown) => ({ x }), deps: ['faulty'] });
        const error = await within('startAll', c.startAll().then(() => undefined, (e: unknown) => e));
        assert.ok(error instanceof BootError);
        const states = Object.fromEntries(c.status().map((s) => [s.name, s.state]));
        assert.deepEqual(states, { faulty: 'failed', dependent: 'failed' });
        assert.ok(error.errors.every((e) => isBandmasterError(e)));
        assert.ok(error.message.length < 5_000);
        await within('stopAll', c.stopAll());
      });
    }

    it(`thrown by onStop (${label}) fails the stop, which settles`, async () => {
      const c = new Container({ logger: false });
      c.register({
        name: 'faulty',
        useFactory: () => ({}),
        onStop: () => {
          throw value;
        },
      });
      await within('startAll', c.startAll());
      const error = await within('stopAll', c.stopAll().then(() => undefined, (e: unknown) => e));
      assert.ok(error instanceof ShutdownError);
      assert.ok(isBandmasterError(error.errors[0], 'ServiceStopFailure'));
    });

    it(`thrown by a health check (${label}) is an unhealthy service, not a rejected health()`, async () => {
      const c = new Container({ logger: false });
      c.register({
        name: 'faulty',
        useFactory: () => ({}),
        healthCheck: () => {
          throw value;
        },
      });
      await within('startAll', c.startAll());
      const health = await within('health', c.health());
      assert.equal(health.healthy, false);
      const entry = health.services.find((s) => s.name === 'faulty');
      assert.equal(entry?.healthy, false);
      assert.ok(typeof entry?.error === 'string' && entry.error.length < 2_000);
      await within('stopAll', c.stopAll());
    });
  }
});
