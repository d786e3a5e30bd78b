import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsOptional, Matches } from 'class-validator';
import { BandmasterError, Secret, resolveConfig } from '../../lib';

class AuthConfig {
  @Secret() @IsOptional() @Matches(/^\S+$/) password?: string;
}

// Found by spec/faults/env-fuzz: resolveConfig printed the rejected value of a @Secret() field
// in the InvalidConfig message (only credentials inside URLs were masked).
describe('regression', () => {
  it('an explicit provider config that fails validation masks its secrets', () => {
    assert.throws(
      () => resolveConfig(AuthConfig, { name: 'rd-1', config: { password: 'hunter2 with a space' } }),
      (error: unknown) =>
        error instanceof BandmasterError && error.kind === 'InvalidConfig' && error.variables?.[0] === 'config.password' && !error.message.includes('hunter2'),
    );
  });
});
