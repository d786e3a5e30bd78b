import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { MAX_RENDERED_LENGTH as MAX_RENDERED_LENGTH_FOR_TESTS } from '../../lib/errors';

describe('a health error of 300,000 characters', () => {
  it('comes back cut to a bounded message that says how much was left out', async () => {
    const c = new Container({ logger: false });
    c.register({
      name: 'chatty',
      useFactory: () => ({}),
      healthCheck: () => {
        throw new Error('z'.repeat(300_000));
      },
    });
    await c.startAll();
    const health = await c.health();
    const entry = health.services.find((s) => s.name === 'chatty');
    assert.equal(entry?.healthy, false);
    assert.ok(entry?.error !== undefined && entry.error.length <= MAX_RENDERED_LENGTH_FOR_TESTS + 64, `${entry?.error?.length} characters`);
    assert.match(entry.error, /… \(299000 more characters\)$/);
    await c.stopAll();
  });
});
