import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { turns } from '../support/deferred';
import { FakeClock } from '../support/fake-clock';

describe('regressions', () => {
  it('a report on an injected clock that starts at zero still tells waiting from starting', async () => {
    // reports took a first attempt at time 0 for "never attempted", so with a clock starting at
    // zero a service's whole start time was reported as time spent waiting for dependencies
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    container.register(
      { name: 'db', useFactory: () => ({}), onStart: async () => (await turns(1), clock.advance(30)) },
      { name: 'api', useFactory: () => ({}), deps: ['db'], onStart: async () => (await turns(1), clock.advance(20)) },
    );
    const report = await container.startAll();
    assert.deepEqual(report.services.map((s) => [s.name, s.waitedMs, s.durationMs]), [
      ['db', 0, 30],
      ['api', 30, 20],
    ]);
  });
});
