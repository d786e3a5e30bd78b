import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';
import { within } from '../faults/support/faults';

// Issue 17 (found by restart() calls in the random interleavings): a restart whose signal had
// aborted while it waited its turn began its shutdown aborted; that shutdown still waited for an
// abandoned start among its services and, once that settled, marked the services it would have
// stopped as failed to stop, after it had finished: a newer shutdown holding one of them as a
// member (waiting for its dependents) lost it, never finished, and everything after it hung.
describe('regression', () => {
  it('a restart whose signal aborted before its stop began leaves the shutdowns after it alone', async () => {
    const container = new Container({ logger: false });
    let slowStart = true;
    container.register(
      { name: 'db', useFactory: () => ({}) },
      { name: 'app', deps: ['db'], useFactory: () => ({}) },
      // stops slowly: app waits for it in the second restart's shutdown
      { name: 'web', deps: ['app'], useFactory: () => ({}), onStop: () => new Promise<void>((r) => setTimeout(r, 200)) },
      {
        name: 'a',
        deps: ['db'],
        useFactory: () => ({}),
        // the first start ignores its signal and outlives its timeout: an abandoned start still unwinding
        onStart: () => (slowStart ? ((slowStart = false), new Promise<void>((r) => setTimeout(r, 150))) : undefined),
      },
    );
    await container.start('web');
    await assert.rejects(container.start('a', { timeout: 10 }));
    await assert.rejects(container.restart('db', { signal: AbortSignal.abort() }), BootError);
    await within(container.restart('app'), 3_000, 'the second restart');
    const states = Object.fromEntries(container.status().map((s) => [s.name, s.state]));
    assert.deepEqual(states, { db: 'started', app: 'started', web: 'started', a: 'stopped' });
    await within(container.stopAll(), 3_000, 'stopAll');
  });
});
