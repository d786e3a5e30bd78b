import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, isBandmasterError } from '../../lib';

// The startAll that a stopAll aborted ended while that shutdown still ran, and turned scopes (and
// supervision) on again: createScope() then built instances beside the stopping singletons.
describe('regression: a boot aborted by stopAll does not open scopes during the shutdown', () => {
  it('createScope() throws ServiceNotStarted after the aborted startAll rejects, until the next boot', async () => {
    let closeDb: (() => void) | undefined;
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}), onStop: () => new Promise<void>((resolve) => (closeDb = resolve)) },
      { name: 'slow', deps: ['db'], useFactory: () => ({}), onStart: (_i: unknown, signal: AbortSignal) => new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))) },
    );
    // listened first: a boot of synchronous services reaches `slow` within startAll's own call
    const slowStarting = new Promise<void>((resolve) => container.events.on((e) => e.type === 'starting' && e.service === 'slow' && resolve()));
    const booting = container.startAll();
    await slowStarting;
    const stopping = container.stopAll();
    await assert.rejects(booting, BootError);
    // db's stop has not finished: the shutdown still runs
    assert.notEqual(container.status().find((s) => s.name === 'db')?.state, 'stopped');
    const refused = (() => {
      try {
        container.createScope();
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    assert.ok(isBandmasterError(refused), `expected createScope() to refuse, got ${String(refused)}`);
    assert.equal(refused.kind, 'ServiceNotStarted');
    // db's onStop runs once the abandoned start settled: wait for it, then let it finish
    while (closeDb === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    closeDb();
    await stopping;
  });
});
