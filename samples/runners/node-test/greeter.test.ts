// node:test runs JavaScript: compile with tsc (experimentalDecorators + emitDecoratorMetadata),
// then `node --test dist/...`. This file is compiled by the repository's `npm run build`.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Container } from 'bandmaster';
import { Clock, GREETINGS, Greeter } from '../app/greeter';

describe('Greeter (node:test + tsc)', () => {
  let container: Container;

  beforeEach(() => {
    container = new Container({ logger: false });
    container.scan(Greeter).override(GREETINGS, { useValue: { get: async () => 'hallo' } });
  });

  afterEach(() => container.stopAll());

  it('starts with its dependencies injected from decorator metadata', async () => {
    await container.startAll();
    const greeter = container.resolve(Greeter);
    assert.equal(greeter.greet('Ada'), 'hallo, Ada');
    assert.ok(greeter.clock instanceof Clock);
  });

  it('waits for the greeter with ready()', async () => {
    const ready = container.ready(Greeter);
    await container.startAll();
    assert.equal((await ready).greet('Ada'), 'hallo, Ada');
  });
});
