import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, globalContainer, replaceGlobalContainer } from '../../lib';

describe('globalContainer', () => {
  it('is one container for the whole process, replaceable, handing back the previous one', () => {
    const original = globalContainer();
    assert.ok(original instanceof Container);
    assert.equal(globalContainer(), original);
    const mine = new Container({ logger: false });
    try {
      assert.equal(replaceGlobalContainer(mine), original);
      assert.equal(globalContainer(), mine);
    } finally {
      assert.equal(replaceGlobalContainer(original), mine);
    }
    assert.equal(globalContainer(), original);
  });

  it('shares started services between the parts of a program that use it', async () => {
    const previous = replaceGlobalContainer(new Container({ logger: false }));
    try {
      globalContainer().register({ name: 'clock', useValue: { now: () => 42 } });
      await globalContainer().startAll();
      const clock = globalContainer().resolve<{ now(): number }>('clock');
      assert.equal(clock.now(), 42);
      await globalContainer().stopAll();
    } finally {
      replaceGlobalContainer(previous);
    }
  });
});
