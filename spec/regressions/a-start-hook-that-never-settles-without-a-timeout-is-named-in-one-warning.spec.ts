import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container } from '../../lib';
import { MemoryLogger } from '../support/log-capture';

// Issue 13, point 9: a start hook that never settles, with no startTimeout, held the boot forever
// without a word. After `startWarningMs` (10 s by default) it is named in one warning.
describe('regression', () => {
  it('a start hook that never settles without a timeout is named in one warning, and only once', async () => {
    const logger = new MemoryLogger();
    const container = new Container({ logger, startWarningMs: 40 });
    container.register(
      { name: 'stuck', useFactory: () => ({}), onStart: () => new Promise<void>(() => undefined) },
      { name: 'bounded', useFactory: () => ({}), startTimeout: 5_000, onStart: () => new Promise<void>(() => undefined) },
      { name: 'quick', useFactory: () => ({}), onStart: () => new Promise<void>((r) => setTimeout(r, 5)) },
    );
    const boot = container.startAll().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const warnings = logger.calls.filter(([level, message]) => level === 'warn' && message.includes('still starting'));
    assert.equal(warnings.length, 1, JSON.stringify(logger.calls.filter(([l]) => l === 'warn')));
    assert.match(warnings[0]![1], /^`stuck` still starting after \d+ms/);
    assert.equal(warnings[0]![2]?.service, 'stuck');
    await container.stopAll().catch(() => undefined);
    await boot;
  });

  it('the warning can be turned off, and a bad startWarningMs is an invalid argument', async () => {
    const logger = new MemoryLogger();
    const container = new Container({ logger, startWarningMs: false });
    container.register({ name: 'stuck', useFactory: () => ({}), onStart: () => new Promise<void>(() => undefined) });
    const boot = container.startAll().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(logger.calls.filter(([level]) => level === 'warn'), []);
    await container.stopAll().catch(() => undefined);
    await boot;
    assert.throws(() => new Container({ logger: false, startWarningMs: -1 }), (e: unknown) => e instanceof BandmasterError && e.kind === 'InvalidArgument' && /startWarningMs/.test(e.message));
  });
});
