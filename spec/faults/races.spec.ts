import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, type LifecycleEvent } from '../../lib';
import { states } from '../support/provider-spec';
import { causeName, deferred, rejection, within } from './support/faults';

/** A hook that runs until its signal aborts, then rejects with the reason. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}

function record(container: Container): LifecycleEvent[] {
  const events: LifecycleEvent[] = [];
  container.events.on((e) => events.push(e));
  return events;
}

describe('fault injection: cancellation races', () => {
  it('an abort during a backoff sleep ends the boot at once, with no further attempt', async () => {
    const container = new Container({ logger: false });
    let attempts = 0;
    container.register({ name: 'db', retries: 5, backoff: 60_000, useFactory: () => Promise.reject(new Error(`refused ${++attempts}`)) });
    const controller = new AbortController();
    const reason = new DOMException('deploy cancelled', 'AbortError');
    container.events.on((e) => e.type === 'start-retrying' && controller.abort(reason));
    const error = await within(rejection(container.startAll({ signal: controller.signal })), 5_000, 'startAll');
    assert.ok(error instanceof BootError);
    assert.equal(error.errors[0]?.kind, 'ServiceStartFailure');
    assert.equal(error.errors[0]?.cause, reason);
    assert.equal(error.errors[0]?.attempts, 1);
    assert.equal(attempts, 1);
    assert.deepEqual(states(container), { db: 'failed' });
  });

  it('a boot timeout during a backoff sleep fails the service with a TimeoutError and clears the sleep', async () => {
    const container = new Container({ logger: false });
    let attempts = 0;
    container.register({ name: 'db', retries: 5, backoff: 60_000, useFactory: () => Promise.reject(new Error(`refused ${++attempts}`)) });
    const error = await within(rejection(container.startAll({ timeout: 50 })), 5_000, 'startAll');
    assert.ok(error instanceof BootError);
    assert.equal(causeName(error.errors[0]?.cause), 'TimeoutError');
    assert.equal(attempts, 1);
    // the 60s backoff timer must not keep this process alive: node:test would hang on it
  });

  it('stopAll during startAll aborts the boot, never constructs what had not begun, and stops what started', async () => {
    const container = new Container({ logger: false });
    const built: string[] = [];
    const stopped: string[] = [];
    const entered = deferred();
    container.register(
      { name: 'a', useFactory: () => built.push('a'), onStop: () => void stopped.push('a') },
      { name: 'b', deps: ['a'], useFactory: () => built.push('b'), onStart: (_i: unknown, signal: AbortSignal) => (entered.resolve(), untilAborted(signal)), onStop: () => void stopped.push('b') },
      { name: 'c', deps: ['b'], useFactory: () => built.push('c'), onStop: () => void stopped.push('c') },
    );
    const boot = rejection(container.startAll());
    await entered.promise;
    const report = await within(container.stopAll(), 5_000, 'stopAll');
    const error = await within(boot, 5_000, 'startAll');
    assert.ok(error instanceof BootError);
    const kinds = Object.fromEntries(error.errors.map((e) => [e.service, [e.kind, e.attempts]]));
    assert.deepEqual(kinds, { b: ['ServiceStartFailure', 1], c: ['ServiceStartFailure', 0] });
    assert.equal(causeName(error.errors[0]?.cause), 'AbortError');
    assert.deepEqual(built, ['a', 'b']);
    assert.deepEqual(stopped, ['a']);
    assert.equal(report.errors.length, 0);
    assert.deepEqual(states(container), { a: 'stopped', b: 'stopped', c: 'stopped' });
  });

  it('startAll during stopAll waits for the shutdown to finish, then boots fresh instances', async () => {
    const container = new Container({ logger: false });
    const release = deferred();
    let serial = 0;
    container.register(
      { name: 'db', useFactory: () => ({ serial: ++serial }) },
      { name: 'api', deps: ['db'], useFactory: () => ({ serial: ++serial }), onStop: () => release.promise },
    );
    await container.startAll();
    const before = container.resolve('api');
    const events = record(container);
    const stopping = container.stopAll();
    const booting = container.startAll();
    const readyAgain = container.ready('api');
    release.resolve();
    await within(Promise.all([stopping, booting]), 5_000, 'stopAll and startAll');
    const after = await within(readyAgain, 5_000, 'ready');
    assert.notEqual(after, before);
    assert.deepEqual(states(container), { db: 'started', api: 'started' });
    const lastStop = events.findLastIndex((e) => e.type === 'stopped');
    const firstStart = events.findIndex((e) => e.type === 'starting');
    assert.ok(lastStop >= 0 && firstStart > lastStop, 'every stop finished before the next boot began');
    assert.deepEqual(events.filter((e) => e.type === 'stopped').map((e) => e.service), ['api', 'db']);
    await container.stopAll();
  });

  it('a second startAll during a boot joins it: each service starts once', async () => {
    const container = new Container({ logger: false });
    const release = deferred();
    let starts = 0;
    container.register({ name: 'db', useFactory: () => ({}), onStart: () => (starts++, release.promise) });
    const first = container.startAll();
    const second = container.startAll();
    release.resolve();
    const [a, b] = await within(Promise.all([first, second]), 5_000, 'startAll');
    assert.equal(starts, 1);
    assert.equal(a.errors.length + b.errors.length, 0);
    await container.stopAll();
  });
});
