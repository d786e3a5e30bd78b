import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';

// Found by the interleaving monitor with restarts in the mix: a restart waiting in the queue
// behind another began after a stopAll had begun, and started services beside that shutdown
// (a dependency stopped while its dependent ran).
describe('regression: a restart queued before a stopAll does not run after it', () => {
  it('rejects the queued restart with ServiceNotStarted, and every service stays stopped', async () => {
    let slow = false;
    let release: (() => void) | undefined;
    const starts: string[] = [];
    const container = new Container({ logger: false });
    container.register(
      {
        name: 'db',
        useFactory: () => ({}),
        onStart: (_i: unknown, signal: AbortSignal) => {
          starts.push('db');
          if (!slow) return undefined;
          return new Promise<void>((resolve, reject) => ((release = resolve), signal.addEventListener('abort', () => reject(signal.reason))));
        },
      },
      { name: 'repo', deps: ['db'], useFactory: () => ({}), onStart: () => void starts.push('repo') },
    );
    await container.startAll();
    slow = true;
    const first = container.restart('db');
    const queued = container.restart('repo');
    await new Promise<void>((resolve) => container.events.on((e) => e.type === 'starting' && e.service === 'db' && resolve()));
    const stopping = container.stopAll();
    await assert.rejects(first, BootError);
    const error = await queued.then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError, `expected a BootError, got ${String(error)}`);
    assert.equal(error.errors[0]?.kind, 'ServiceNotStarted');
    assert.equal(error.errors[0]?.service, 'repo');
    await stopping;
    release?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['db', 'stopped'], ['repo', 'stopped']]);
    // the boot's two starts, then the first restart's start of db: nothing after the stopAll
    assert.deepEqual(starts, ['db', 'repo', 'db']);
  });
});
