import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, handleSignals } from '../../lib';

// Issue 15, point 10: a delay above 2^31-1 ms became a 1 ms timer, so `handleSignals({ timeout:
// 3e9 })` aborted its own shutdown at once and exited 1 before the stop hooks ran.
describe('regression', () => {
  it('handleSignals with a timeout past the timer limit runs the stop hooks and exits 0', async () => {
    const container = new Container({ logger: false });
    const log: string[] = [];
    container.register({
      name: 'db',
      useFactory: () => ({}),
      onStop: async () => {
        await new Promise((r) => setTimeout(r, 30));
        log.push('db closed');
      },
    });
    await container.startAll();
    const exited = new Promise<number>((resolve) => {
      const off = handleSignals(container, { timeout: 3e9, signals: ['SIGUSR2'], logger: false, exit: (code) => (off(), resolve(code)) });
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    assert.equal(await exited, 0);
    assert.deepEqual(log, ['db closed']);
    assert.equal(container.status()[0]?.state, 'stopped');
  });
});
