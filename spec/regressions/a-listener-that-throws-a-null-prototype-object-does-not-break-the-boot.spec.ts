import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { settled } from '../support/settles';

// Issue 14, defect 4: listener isolation rendered the thrown value with String(), which throws
// for a null-prototype object, so the throw escaped into the scheduler and hung the boot.
describe('regression', () => {
  it('a listener that throws a null-prototype object, or a revoked proxy, does not break the boot', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const container = new Container({ logger: false });
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      container.events.on(() => { throw Object.create(null); });
      container.events.on(() => { throw proxy; });
      container.register({ name: 'db', useFactory: () => ({}) }, { name: 'app', useFactory: () => ({}), deps: ['db'] });
      assert.equal(await settled(container.startAll(), 2_000), 'resolved');
      assert.deepEqual(container.status().map((s) => s.state), ['started', 'started']);
      assert.equal(await settled(container.stopAll(), 2_000), 'resolved');
      await new Promise((r) => setImmediate(r));
      assert.ok(warnings.some((w) => w.includes('lifecycle listener threw')), warnings.join('\n'));
    } finally {
      process.off('warning', onWarning);
    }
  });
});
