import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';

// Found by the interleaving monitor with restarts in the mix: a stopAll that began while a
// restart stopped its members did not end the restart, which then booted them beside the
// stopAll's shutdown (a dependency stopped while its dependent ran).
describe("regression: a stopAll during a restart's stop ends the restart before it starts anything", () => {
  it('rejects the restart with ServiceNotStarted, starts nothing again, and leaves every service stopped', async () => {
    const starts: string[] = [];
    const container = new Container({ logger: false });
    container.register(
      { name: 'db', useFactory: () => ({}), onStart: () => void starts.push('db') },
      { name: 'repo', deps: ['db'], useFactory: () => ({}), onStart: () => void starts.push('repo') },
    );
    await container.startAll();
    // the stopAll begins the moment the restart's last stop settled, before the restart goes on to start
    let stopping: Promise<unknown> | undefined;
    container.events.on((e) => {
      if (e.type === 'stopped' && e.service === 'db' && stopping === undefined) stopping = container.stopAll();
    });
    const error = await container.restart('db').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError, `expected a BootError, got ${String(error)}`);
    assert.equal(error.errors[0]?.kind, 'ServiceNotStarted');
    await stopping;
    assert.deepEqual(starts, ['db', 'repo'], 'nothing started after the restart began');
    assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['db', 'stopped'], ['repo', 'stopped']]);
  });
});
