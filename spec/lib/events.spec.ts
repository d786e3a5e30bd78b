import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, type LifecycleEvent } from '../../lib';
import { turns } from '../support/deferred';
import { bootError, shutdownError } from '../support/errors';
import { FakeClock } from '../support/fake-clock';

/** Events as comparable tuples: errors by kind or message, durations dropped. */
function summarize(event: LifecycleEvent): unknown[] {
  const base = [event.type, event.service, event.attempt];
  switch (event.type) {
    case 'start-retrying':
    case 'stop-retrying':
      return [...base, event.delayMs, (event.error as Error).message];
    case 'start-failed':
    case 'stop-failed':
      return [...base, event.error.kind];
    default:
      return base;
  }
}

describe('LifecycleEvents', () => {
  it('tells the boot of a retried service, step by step, with delays and errors', async () => {
    const clock = new FakeClock();
    let failures = 2;
    const container = new Container({ logger: false, clock });
    const events: LifecycleEvent[] = [];
    container.events.on((e) => events.push(e));
    container.register({
      name: 'rd-1',
      retries: 3,
      backoff: 100,
      useFactory: () => ({}),
      onStart: async () => {
        await turns(1);
        clock.advance(5);
        if (failures-- > 0) throw new Error('ECONNREFUSED');
      },
    });
    const boot = container.startAll();
    clock.advance((await clock.nextSleep()).ms);
    clock.advance((await clock.nextSleep()).ms);
    await boot;
    assert.deepEqual(events.map(summarize), [
      ['starting', 'rd-1', 1],
      ['start-retrying', 'rd-1', 1, 100, 'ECONNREFUSED'],
      ['starting', 'rd-1', 2],
      ['start-retrying', 'rd-1', 2, 200, 'ECONNREFUSED'],
      ['starting', 'rd-1', 3],
      ['started', 'rd-1', 3],
    ]);
    assert.deepEqual(events.at(-1), { type: 'started', service: 'rd-1', required: true, attempt: 3, durationMs: 315 });
  });

  it('tells failures, including services failed through a dependency without any attempt', async () => {
    const container = new Container({ logger: false });
    const events: LifecycleEvent[] = [];
    container.events.on((e) => events.push(e));
    container.register({ name: 'db', useFactory: () => ({}), onStart: () => Promise.reject(new Error('down')) }, { name: 'api', required: false, useFactory: () => ({}), deps: ['db'] });
    await bootError(container.startAll());
    assert.deepEqual(events.map(summarize), [
      ['starting', 'db', 1],
      ['start-failed', 'db', 1, 'ServiceStartFailure'],
      ['start-failed', 'api', 0, 'DependencyUnavailable'],
    ]);
    assert.deepEqual(events.map((e) => e.required), [true, true, false]);
  });

  it('tells a stop failure and the ParentUnavailable failures it causes, dependents first', async () => {
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}), onStop: () => undefined },
      { name: 'api', useFactory: () => ({}), deps: ['db'], onStop: () => undefined },
      { name: 'worker', useFactory: () => ({}), deps: ['api'], onStop: () => Promise.reject(new Error('stuck')) },
    );
    await container.startAll();
    const events: LifecycleEvent[] = [];
    container.events.on((e) => events.push(e));
    await shutdownError(container.stopAll());
    assert.deepEqual(events.map(summarize), [
      ['stopping', 'worker', 1],
      ['stop-failed', 'worker', 1, 'ServiceStopFailure'],
      ['stop-failed', 'api', 0, 'ParentUnavailable'],
      ['stop-failed', 'db', 0, 'ParentUnavailable'],
    ]);
  });

  it('tells a stop retry with its delay, then the stop', async () => {
    const clock = new FakeClock();
    let failures = 1;
    const container = new Container({ logger: false, clock });
    container.register({ name: 'db', useFactory: () => ({}), retries: 1, backoff: 10, onStop: () => (failures-- > 0 ? Promise.reject(new Error('busy')) : undefined) });
    await container.startAll();
    const events: LifecycleEvent[] = [];
    container.events.on((e) => events.push(e));
    const shutdown = container.stopAll();
    clock.advance((await clock.nextSleep()).ms);
    await shutdown;
    assert.deepEqual(events.map(summarize), [
      ['stopping', 'db', 1],
      ['stop-retrying', 'db', 1, 10, 'busy'],
      ['stopping', 'db', 2],
      ['stopped', 'db', 2],
    ]);
  });

  it('stops delivering to a listener once it unsubscribes', async () => {
    const container = new Container({ logger: false });
    const seen: string[] = [];
    assert.equal(container.events.active, false);
    const off = container.events.on((e) => seen.push(e.type));
    assert.equal(container.events.active, true);
    container.register({ name: 'a', useValue: 1 });
    await container.startAll();
    off();
    assert.equal(container.events.active, false);
    await container.stopAll();
    assert.deepEqual(seen, ['starting', 'started']);
  });

  it('keeps a throwing listener from breaking the lifecycle, and warns about it', async () => {
    const warnings: string[] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = (warning: string | Error) => void warnings.push(String(warning));
    try {
      const container = new Container({ logger: false });
      container.events.on(() => {
        throw new Error('listener bug');
      });
      container.register({ name: 'a', useValue: 1 });
      await container.startAll();
      await container.stopAll();
      assert.equal(container.status()[0]!.state, 'stopped');
      assert.equal(warnings.length, 4);
      assert.ok(warnings.every((w) => w.includes('listener bug')));
    } finally {
      process.emitWarning = emitWarning;
    }
  });
});
