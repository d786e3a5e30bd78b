import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../lib';
import { isError } from '../support/errors';

describe('a factory with more dependencies than a call can pass', () => {
  it('is an InvalidDefinition at registration that points to dependsOn, not a RangeError at start', () => {
    const c = new Container({ logger: false });
    const deps = Array.from({ length: 200_000 }, (_, i) => `d${i}`);
    assert.throws(() => c.register({ name: 'wide', useFactory: () => 0, deps }), isError({ kind: 'InvalidDefinition', service: 'wide' }));
    assert.throws(() => c.register({ name: 'wide', useFactory: () => 0, deps }), /dependsOn/);
    c.register({ name: 'wide', useFactory: () => 0, dependsOn: deps });
    assert.equal(c.graph().edges.length, 200_000);
  });
});
