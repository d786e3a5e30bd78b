import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container } from '../../lib';

// startAll({ timeout: '5s' }) or NaN silently meant "no time limit", and -1 fired at once.
describe('Container run options', () => {
  const bad: [string, unknown][] = [['a duration string', '5s'], ['NaN', NaN], ['a negative number', -1]];
  for (const [what, timeout] of bad) {
    it(`rejects ${what} as a timeout with InvalidArgument, before anything starts`, async () => {
      let constructed = 0;
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ++constructed });
      for (const call of [() => container.startAll({ timeout } as never), () => container.start('db', { timeout } as never), () => container.stopAll({ timeout } as never)]) {
        await assert.rejects(call(), (e: unknown) => e instanceof BandmasterError && e.kind === 'InvalidArgument' && /timeout/.test(e.detail ?? ''));
      }
      assert.equal(constructed, 0);
    });
  }

  it('rejects a signal that is not an AbortSignal, and accepts Infinity as no limit', async () => {
    const container = new Container({ logger: false });
    container.register({ name: 'db', useValue: 1 });
    await assert.rejects(container.startAll({ signal: {} as AbortSignal }), (e: unknown) => e instanceof BandmasterError && e.kind === 'InvalidArgument' && e.service === 'startAll()');
    const report = await container.startAll({ timeout: Infinity });
    assert.equal(report.services[0]?.state, 'started');
    await container.stopAll({ timeout: 1_000 });
  });
});
