import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsInt, Min } from 'class-validator';
import { BandmasterError, resolveConfig } from '../../lib';

class PortConfig {
  @IsInt() @Min(1) port = 6379;
}

// Found by spec/faults/env-fuzz: Object.assign(config, JSON.parse('{"__proto__": {...}}')) set the
// config's prototype, so the result was no longer a PortConfig and class-validator checked nothing.
describe('regression', () => {
  it('an explicit provider config cannot swap the config prototype', () => {
    const config = JSON.parse('{"__proto__": {"port": -1, "polluted": true}}') as Partial<PortConfig>;
    assert.throws(
      () => resolveConfig(PortConfig, { name: 'rd-1', config }),
      (error: unknown) => error instanceof BandmasterError && error.kind === 'InvalidConfig' && error.variables?.[0] === 'config.__proto__',
    );
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
