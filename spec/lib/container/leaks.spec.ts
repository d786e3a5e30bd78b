import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';
import { deferred, turns, whenAborted } from '../../support/deferred';
import { bootError } from '../../support/errors';

/** Active handles and requests by type (Timeout, TCPWrap...). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Resource types of which there are more now than in `baseline`. */
function leftOver(baseline: Record<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [type, count] of Object.entries(resources())) if (count > (baseline[type] ?? 0)) extra[type] = count - (baseline[type] ?? 0);
  return extra;
}

const LONG = 3_600_000;

describe('Container', () => {
  describe('resources', () => {
    it('leaves no timer or handle behind once startAll, health and stopAll are done', async () => {
      await turns(2);
      const baseline = resources();
      let flaky = 2;
      const container = new Container({ logger: false });
      container.register(
        { name: 'db', startTimeout: LONG, stopTimeout: LONG, useFactory: () => ({}), onStart: () => turns(1), onStop: () => turns(1), healthCheck: () => undefined },
        { name: 'cache', retries: 3, backoff: 2, useFactory: () => ({}), onStart: () => (flaky-- > 0 ? Promise.reject(new Error('warming up')) : undefined) },
        { name: 'api', deps: ['db', 'cache'], useFactory: () => ({}), healthCheck: () => turns(1) },
      );
      await container.startAll({ timeout: LONG, signal: new AbortController().signal });
      assert.deepEqual(leftOver(baseline), {});
      await container.health({ timeout: LONG, signal: new AbortController().signal });
      assert.deepEqual(leftOver(baseline), {});
      await container.stopAll({ timeout: LONG, signal: new AbortController().signal });
      assert.deepEqual(leftOver(baseline), {});
    });

    it('leaves no timer behind after boots that were cancelled, timed out or stopped mid-way', async () => {
      await turns(2);
      const baseline = resources();
      const stubborn = deferred();
      const container = new Container({ logger: false });
      container.register(
        { name: 'sleepy', retries: 5, backoff: LONG, useFactory: () => ({}), onStart: () => Promise.reject(new Error('no')) },
        { name: 'hanging', startTimeout: LONG, useFactory: () => ({}), onStart: (_i: unknown, signal: AbortSignal) => whenAborted(signal).then((r) => Promise.reject(r)) },
        { name: 'stubborn', stopTimeout: LONG, useFactory: () => ({}), onStart: () => stubborn.promise, onStop: () => turns(1) },
      );
      await bootError(container.startAll({ timeout: 20 }));
      stubborn.resolve();
      await turns(3);
      assert.deepEqual(leftOver(baseline), {});
      const boot = bootError(container.startAll({ timeout: LONG }));
      await turns(2);
      await container.stopAll();
      await boot;
      await turns(3);
      assert.deepEqual(leftOver(baseline), {});
    });
  });
});
