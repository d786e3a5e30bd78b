import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { within } from '../faults/support/faults';

// Issue 17 (found by restart() calls in the random interleavings): a stop given up on (a timeout)
// that finished while a newer shutdown held the service as a member, waiting for its dependents,
// turned the service stopped behind that shutdown's back: the shutdown never launched it and
// never finished, and stopAll() hung.
describe('regression', () => {
  it('a stop that finishes late while a new shutdown waits to stop the service does not hang that shutdown, and does not close it twice', async () => {
    const container = new Container({ logger: false });
    let dbStops = 0;
    let appStops = 0;
    let appLive = false;
    container.register(
      {
        name: 'db',
        useFactory: () => ({}),
        // ignores its signal: outlives the first stopAll's timeout
        onStop: async () => {
          dbStops++;
          await new Promise((r) => setTimeout(r, 60));
        },
      },
      {
        name: 'app',
        deps: ['db'],
        useFactory: () => ({}),
        onStart: () => void (appLive = true),
        // quick the first time; slow the second, so that db waits for it in the second shutdown
        onStop: async () => {
          if (++appStops > 1) await new Promise((r) => setTimeout(r, 120));
          appLive = false;
        },
      },
    );
    await container.startAll();
    await assert.rejects(container.stopAll({ timeout: 20 }));
    assert.deepEqual(container.status().map((s) => s.state), ['started', 'stopped']);
    // app starts on the db still "started", then the second stopAll holds db until app stopped
    await container.startAll();
    await within(container.stopAll(), 2_000, 'the second stopAll');
    assert.deepEqual(container.status().map((s) => s.state), ['stopped', 'stopped']);
    assert.equal(dbStops, 1, 'the late stop closed db: its hook is not called again');
    assert.equal(appLive, false);
  });
});
