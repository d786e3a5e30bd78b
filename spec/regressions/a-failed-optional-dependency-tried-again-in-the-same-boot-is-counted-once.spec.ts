import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';

// Found by spec/faults/interleavings (seed 14): a service that failed was tried again within the
// same boot (a start(token) call joined it), and a dependent waiting on it through an optional
// edge counted both of its settlements, so it launched while a required dependency was still
// starting.
describe('regression', () => {
  it('a failed optional dependency tried again in the same boot is counted once by its waiting dependents', async () => {
    const container = new Container({ logger: false });
    const log: string[] = [];
    let releaseSlow!: () => void;
    container.register(
      {
        name: 'slow',
        useFactory: () => ({}),
        onStart: () => new Promise<void>((resolve) => (releaseSlow = resolve)),
      },
      {
        name: 'flaky',
        useFactory: () => ({}),
        onStart: () => Promise.reject(new Error('refused')),
        required: false,
      },
      {
        name: 'app',
        useFactory: () => ({}),
        deps: ['slow', { token: 'flaky', optional: true }],
        onStart: () => void log.push(`app starts, slow is ${container.status().find((s) => s.name === 'slow')!.state}`),
      },
    );
    const boot = container.startAll();
    await new Promise((r) => setImmediate(r));
    assert.equal(container.status().find((s) => s.name === 'flaky')!.state, 'failed');
    // joins the running boot and fails again
    await assert.rejects(container.start('flaky'), /refused/);
    assert.deepEqual(log, [], 'app must wait for slow');
    releaseSlow();
    await boot;
    assert.deepEqual(log, ['app starts, slow is started']);
    assert.equal(container.status().find((s) => s.name === 'app')!.state, 'started');
    await container.stopAll();
  });
});
