import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, BootError, LifecycleReport } from '../../../lib';
import { cut, describeCause, describeValue, MAX_RENDERED_LENGTH } from '../../../lib/errors';
import { hostileValues } from './hostile';

/** The bound of one rendering, with room for the "(N more characters)" note. */
const BOUND = MAX_RENDERED_LENGTH + 64;

describe('describeCause and describeValue', () => {
  for (const { label, value } of hostileValues()) {
    it(`render ${label} as bounded text without throwing`, () => {
      const cause = describeCause(value);
      const shown = describeValue(value);
      assert.equal(typeof cause, 'string');
      assert.ok(cause.length > 0 && cause.length <= BOUND, `${cause.length} characters`);
      assert.ok(shown.length > 0 && shown.length <= BOUND, `${shown.length} characters`);
    });

    it(`let a BandmasterError, and a BootError of it, carry ${label} as their cause`, () => {
      const error = new BandmasterError('ServiceStartFailure', { service: 's', cause: value });
      assert.equal(error.cause, value);
      assert.ok(error.message.startsWith(value === undefined ? '`s`: service failed to start' : '`s`: service failed to start: '));
      assert.ok(error.message.length <= BOUND + 40);
      const boot = new BootError([error], new LifecycleReport([], [error], 1));
      assert.ok(boot.message.includes('`s`: service failed to start'));
    });
  }

  it('say what they can of an Error whose message cannot be read', () => {
    const [messageBomb] = hostileValues();
    assert.equal(describeCause(messageBomb!.value), 'Error (its message cannot be read)');
  });

  it('render an AggregateError without message by its errors, and count what they leave out', () => {
    assert.equal(describeCause(new AggregateError([new Error('a'), 'b', { c: 1 }])), 'a; b; {"c":1}');
    const many = describeCause(new AggregateError(Array.from({ length: 10_000 }, () => new Error('boom'))));
    assert.match(many, /…and \d+ more$/);
  });

  it('cut long text with a count and never split a surrogate pair', () => {
    assert.equal(cut('abcdef', 3), 'abc… (3 more characters)');
    assert.equal(cut('ab😀cd', 3), 'ab… (4 more characters)');
    assert.equal(cut('short'), 'short');
  });
});

describe('describeCause and secrets', () => {
  it('masks a URL password before it cuts, so a cut never shows the start of a password', () => {
    const secret = 'S3cr3t'.repeat(20);
    for (const pad of [900, 985, 995, 1_000, 1_010]) {
      const text = `${'x'.repeat(pad)} redis://app:${secret}@cache:6379`;
      for (const rendered of [describeCause(new Error(text)), describeCause(text), describeValue(text), describeValue({ url: text })]) {
        assert.ok(!rendered.includes('S3cr3t'), `pad ${pad}: ${rendered.slice(-80)}`);
      }
    }
    assert.equal(describeCause(new Error('connect to redis://app:hunter2@cache:6379 failed')), 'connect to redis://app:****@cache:6379 failed');
  });
});
