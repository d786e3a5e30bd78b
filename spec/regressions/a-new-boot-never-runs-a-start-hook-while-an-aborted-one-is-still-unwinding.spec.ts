import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container } from '../../lib';

// Found by spec/faults/interleavings: a startAll whose signal had already aborted joined and
// aborted a boot, and the next queued call began a new boot at once, calling onStart again while
// the aborted onStart (which honours its signal, but unwinds asynchronously) was still running.
describe('regression', () => {
  it('a new boot never runs a start hook while an aborted one is still unwinding', async () => {
    const container = new Container({ logger: false });
    const log: string[] = [];
    let calls = 0;
    container.register({
      name: 'server',
      useFactory: () => ({}),
      onStart: async (_server: unknown, signal: AbortSignal) => {
        const call = ++calls;
        log.push(`enter ${call}`);
        try {
          await new Promise<void>((resolve, reject) => {
            if (call > 1) return resolve();
            signal.addEventListener('abort', () => setTimeout(() => reject(signal.reason), 20), { once: true });
          });
        } finally {
          log.push(`exit ${call}`);
        }
      },
    });
    const controller = new AbortController();
    const first = container.startAll({ signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    controller.abort(new DOMException('interrupted', 'AbortError'));
    await assert.rejects(first, BootError);
    await container.startAll();
    assert.deepEqual(log, ['enter 1', 'exit 1', 'enter 2', 'exit 2']);
    assert.equal(container.status()[0]?.state, 'started');
    await container.stopAll();
  });
});
