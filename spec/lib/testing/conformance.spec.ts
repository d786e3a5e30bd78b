import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Service, ShutdownError, type OnStart, type OnStop } from '../../../lib';
import { checkConformance, CONFORMANCE_STEPS } from '../../../lib/testing';
import { turns, whenAborted } from '../../support/deferred';

/** An in-process "client": connects on start, honours its signals, closes on stop. */
@Service({ name: 'in-process' })
class InProcessClient implements OnStart, OnStop {
  connected = false;

  async onStart(signal: AbortSignal): Promise<void> {
    await Promise.race([turns(1), whenAborted(signal)]);
    signal.throwIfAborted();
    this.connected = true;
  }

  async onStop(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await turns(1);
    this.connected = false;
  }
}

/** Runs the check and returns the steps that passed, and what it threw. */
async function steps(service: Parameters<typeof checkConformance>[0]): Promise<{ passed: string[]; error: unknown }> {
  const passed: string[] = [];
  try {
    await checkConformance(service, { timeout: 5_000, onStep: (step) => passed.push(step) });
    return { passed, error: undefined };
  } catch (error) {
    return { passed, error };
  }
}

describe('checkConformance', () => {
  it('passes every step for a well-behaved @Service class', async () => {
    const { passed, error } = await steps(() => InProcessClient);
    assert.equal(error, undefined);
    assert.deepEqual(passed, [...CONFORMANCE_STEPS]);
  });

  it('passes every step for a well-behaved factory definition', async () => {
    const { passed, error } = await steps(() => ({
      name: 'factory-client',
      useFactory: () => ({ open: false }),
      onStart: async (client: { open: boolean }, signal: AbortSignal) => {
        signal.throwIfAborted();
        client.open = true;
      },
      onStop: (client: { open: boolean }) => void (client.open = false),
    }));
    assert.equal(error, undefined);
    assert.deepEqual(passed, [...CONFORMANCE_STEPS]);
  });

  it('throws at the step a service that cannot stop breaks', async () => {
    @Service({ name: 'sticky' })
    class Sticky implements OnStop {
      onStop(): Promise<void> {
        return Promise.reject(new Error('socket will not close'));
      }
    }
    const { passed, error } = await steps(() => Sticky);
    assert.ok(error instanceof Error);
    assert.ok(error.cause instanceof ShutdownError);
    assert.deepEqual(passed, CONFORMANCE_STEPS.slice(0, CONFORMANCE_STEPS.indexOf('stop succeeds')));
  });

  it('throws when a restart hands back the instance of the first start', async () => {
    const shared = { reused: true };
    const { passed, error } = await steps(() => ({ name: 'singleton', useFactory: () => shared }));
    assert.ok(error instanceof Error);
    assert.deepEqual(passed, CONFORMANCE_STEPS.slice(0, CONFORMANCE_STEPS.indexOf('restart works with a fresh instance')));
  });

  it('throws when the service cannot start at all', async () => {
    const { passed, error } = await steps(() => ({ name: 'down', useFactory: () => ({}), onStart: () => Promise.reject(new Error('ECONNREFUSED')) }));
    assert.ok(error instanceof Error);
    assert.deepEqual(passed, ['cancelled start fails', 'cancelled start fails again']);
  });
});
