import 'reflect-metadata';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { Container, LIFECYCLE_CHANNEL, publishLifecycle, type LifecycleEvent } from '../../lib';

describe('publishLifecycle', () => {
  it('publishes every lifecycle event on bandmaster:lifecycle while someone subscribes', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) }, { name: 'api', deps: ['db'], useFactory: () => ({}) });
    const off = publishLifecycle(container.events);
    const seen: LifecycleEvent[] = [];
    const listener = (message: unknown): void => void seen.push(message as LifecycleEvent);
    diagnostics.subscribe(LIFECYCLE_CHANNEL, listener);
    try {
      await container.startAll();
      await container.stopAll();
    } finally {
      diagnostics.unsubscribe(LIFECYCLE_CHANNEL, listener);
      off();
    }
    assert.deepEqual(
      seen.map((e) => `${e.type} ${e.service}`),
      ['starting db', 'started db', 'starting api', 'started api', 'stopping api', 'stopped api', 'stopping db', 'stopped db'],
    );
  });

  it('leaves the container building no events while the channel has no subscriber', () => {
    const container = new Container({ logger: false });
    const off = publishLifecycle(container.events);
    assert.equal(container.events.active, false);
    const listener = (): void => undefined;
    diagnostics.subscribe(LIFECYCLE_CHANNEL, listener);
    assert.equal(container.events.active, true);
    diagnostics.unsubscribe(LIFECYCLE_CHANNEL, listener);
    assert.equal(container.events.active, false);
    off();
  });
});
