import 'reflect-metadata';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { Container, LIFECYCLE_CHANNEL, publishLifecycle, type LifecycleEvent } from '../../lib';

/** Subscribes to bandmaster:lifecycle while `body` runs; returns `type service` of what was published. */
async function published(body: () => Promise<void>): Promise<string[]> {
  const seen: LifecycleEvent[] = [];
  const listener = (message: unknown): void => void seen.push(message as LifecycleEvent);
  diagnostics.subscribe(LIFECYCLE_CHANNEL, listener);
  try {
    await body();
  } finally {
    diagnostics.unsubscribe(LIFECYCLE_CHANNEL, listener);
  }
  return seen.map((e) => `${e.type} ${e.service}`);
}

const BOOT_AND_STOP = ['starting db', 'started db', 'starting api', 'started api', 'stopping api', 'stopped api', 'stopping db', 'stopped db'];

describe('bandmaster:lifecycle', () => {
  it('every container publishes each of its lifecycle events on bandmaster:lifecycle, with no call to switch it on', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
    const seen = await published(async () => {
      await container.startAll();
      await container.stopAll();
    });
    assert.deepEqual(seen, BOOT_AND_STOP);
  });

  it('publishes the very event objects the container emits, retries and failures included', async () => {
    const container = new Container({ logger: false });
    let calls = 0;
    container.register({ name: 'flaky', retries: 1, backoff: 1, useFactory: () => (++calls === 1 ? Promise.reject(new Error('refused')) : {}) });
    const emitted: LifecycleEvent[] = [];
    container.events.on((e) => void emitted.push(e));
    const seen: unknown[] = [];
    const listener = (message: unknown): void => void seen.push(message);
    diagnostics.subscribe(LIFECYCLE_CHANNEL, listener);
    try {
      await container.startAll();
    } finally {
      diagnostics.unsubscribe(LIFECYCLE_CHANNEL, listener);
    }
    assert.deepEqual(emitted.map((e) => e.type), ['starting', 'start-retrying', 'starting', 'started']);
    assert.equal(seen.length, emitted.length);
    seen.forEach((message, i) => assert.equal(message, emitted[i]));
    await container.stopAll();
  });

  it('publishes each event once when publishLifecycle, now deprecated, was called too', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
    const off = publishLifecycle(container.events);
    const seen = await published(async () => {
      await container.startAll();
      await container.stopAll();
    });
    off();
    assert.deepEqual(seen, BOOT_AND_STOP);
  });

  it('leaves the container building no events while the channel has no subscriber', () => {
    const container = new Container({ logger: false });
    assert.equal(container.events.active, false);
    const listener = (): void => undefined;
    diagnostics.subscribe(LIFECYCLE_CHANNEL, listener);
    assert.equal(container.events.active, true);
    diagnostics.unsubscribe(LIFECYCLE_CHANNEL, listener);
    assert.equal(container.events.active, false);
  });
});
