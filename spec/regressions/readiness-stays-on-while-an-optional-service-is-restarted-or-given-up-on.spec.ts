import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, defineProvider, probeReadiness } from '../../lib';
import { nextEvent } from '../lib/supervision/next-event';

// Issue 17: readiness read a restart's stops as a shutdown. A restart of an optional service
// answered "shutting down" until its next start, and an optional service given up on after
// maxRestarts (no start follows) left /readyz at 503 for good, on a container whose required
// services all ran.
interface Client {
  lost?: (error: unknown) => void;
}

const cache = defineProvider<object, Client>({
  provider: 'flaky',
  configClass: class {},
  create: () => ({}),
  start: async (client, { lost }) => void (client.lost = lost),
  healthCheck: async () => undefined,
  stop: async () => undefined,
});

describe('regression', () => {
  it('readiness stays on while an optional service is restarted or given up on, and goes off for stopAll', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useFactory: () => ({}) }, cache({ name: 'cache', required: false, restart: { maxRestarts: 0, withinMs: 60_000 } }));
    await container.startAll();
    assert.equal((await probeReadiness(container)).ready, true);

    const readyDuringRestart: boolean[] = [];
    const off = container.events.on((e) => {
      if (e.type === 'stopped' && e.service === 'cache') void probeReadiness(container).then((r) => readyDuringRestart.push(r.ready && !r.shuttingDown));
    });
    await container.restart('cache');
    off();
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(readyDuringRestart, [true], 'ready while the optional cache restarted');
    assert.equal((await probeReadiness(container)).ready, true);

    // past maxRestarts (0): given up on, failed, and no start follows
    const givenUp = nextEvent(container, 'restart-failed', 'cache');
    container.resolve<Client>('cache').lost!(new Error('closed for good'));
    await givenUp;
    assert.equal(container.status().find((s) => s.name === 'cache')?.state, 'failed');
    const after = await probeReadiness(container);
    assert.equal(after.shuttingDown, false);
    assert.equal(after.ready, true, 'the required db runs: ready');

    const stopping = container.stopAll();
    assert.equal((await probeReadiness(container)).shuttingDown, true);
    await stopping;
    assert.deepEqual([(await probeReadiness(container)).ready, (await probeReadiness(container)).shuttingDown], [false, true]);
  });
});
