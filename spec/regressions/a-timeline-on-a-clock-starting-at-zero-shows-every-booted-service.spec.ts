import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { FakeClock } from '../support/fake-clock';

// The timeline took a timestamp of 0 for "never booted", so with a clock starting at 0 it dropped
// the services that were queued or attempted at time 0.
describe('Container.timeline on a clock starting at zero', () => {
  it('shows every service that went through the boot, with its attempts', async () => {
    const container = new Container({ logger: false, clock: new FakeClock() });
    container.register({ name: 'db', useValue: 1 }, { name: 'api', useFactory: () => 2, deps: ['db'] });
    await container.startAll();
    const timeline = container.timeline();
    assert.deepEqual(timeline.entries.map((e) => [e.name, e.attempts]).sort(), [['api', 1], ['db', 1]]);
    assert.match(timeline.toText(), /api/);
    await container.stopAll();
  });
});
