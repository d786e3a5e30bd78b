// Compiled without experimentalDecorators: the config decorators run as TC39 standard decorators.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { IsInt, IsString, Min } from 'class-validator';
import { AsDuration, AsList, BandmasterError, IsAddress, MaskedConfig, Secret, configField, loadEnv, resolveConfig } from '../../lib';

class QueueConfig extends MaskedConfig {
  @configField(IsString()) url = 'amqp://127.0.0.1:5672';
  @Secret() @configField(IsString()) password = '';
  @AsDuration() @configField(IsInt()) @configField(Min(1)) connectTimeout = 5_000;
  @AsList() @IsAddress({ each: true, defaultPort: 5672 }) nodes: string[] = ['127.0.0.1:5672'];
}

function caught(run: () => unknown): BandmasterError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof BandmasterError, String(err));
    return err;
  }
  assert.fail('expected an InvalidConfig');
}

describe('TC39 standard decorators on config classes', () => {
  it('@AsDuration parses a Go duration and @Secret masks, as under experimentalDecorators', () => {
    const config = loadEnv(QueueConfig, 'QC', { QC_CONNECT_TIMEOUT: '1m30s', QC_PASSWORD: 'tc39-s3cret', QC_NODES: 'a:1,[::1]:5673' });
    assert.equal(config.connectTimeout, 90_000);
    assert.deepEqual(config.nodes, ['a:1', '[::1]:5673']);
    for (const shown of [String(config), JSON.stringify(config), inspect(config)]) assert.ok(!shown.includes('tc39-s3cret'), shown);
  });

  it('class-validator rules wrapped in configField and IsAddress validate, naming the variable', () => {
    const err = caught(() => loadEnv(QueueConfig, 'QC', { QC_CONNECT_TIMEOUT: '0', QC_NODES: 'a:99999', QC_PASSWORD: 'tc39-s3cret' }));
    assert.equal(err.kind, 'InvalidConfig');
    assert.deepEqual([...(err.variables ?? [])].sort(), ['QC_CONNECT_TIMEOUT', 'QC_NODES']);
    assert.ok(!err.message.includes('tc39-s3cret'));
  });

  it('an unknown key in an explicit config is an InvalidConfig naming it', () => {
    const err = caught(() => resolveConfig(QueueConfig, { name: 'q', config: { passwrod: 'x' } as never }));
    assert.match(err.message, /config\.passwrod: not a configuration field/);
  });
});
