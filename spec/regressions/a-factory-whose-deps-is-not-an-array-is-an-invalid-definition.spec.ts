import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container, type AnyDefinition } from '../../lib';

// Found by spec/faults/misuse: `deps: 'db'` (a string, not a list) crashed register() with
// "TypeError: deps.map is not a function" instead of naming the service and the fix.
describe('regression', () => {
  it('a factory whose deps is not an array is an invalid definition', () => {
    const container = new Container({ logger: false });
    assert.throws(
      () => container.register({ name: 'api', useFactory: () => ({}), deps: 'db' } as unknown as AnyDefinition),
      (error: unknown) => error instanceof BandmasterError && error.kind === 'InvalidDefinition' && error.service === 'api',
    );
  });
});
