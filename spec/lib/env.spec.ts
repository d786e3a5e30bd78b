import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrayNotEmpty, IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { inspect } from 'node:util';
import { AsDuration, AsList, BandmasterError, loadEnv, maskSecrets, parseDuration, resolveConfig, Secret, type Constructor } from '../../lib';
import { CassandraConfig } from '../../providers/cassandra/cassandra.config';
import { KafkaConfig } from '../../providers/kafka/kafka.config';
import { MemcachedConfig } from '../../providers/memcached/memcached.config';
import { RedisConfig } from '../../providers/redis/redis.config';
import { redis } from '../../providers/redis';
import { SqlConfig } from '../../providers/sql/sql.config';
import { assertBandmasterError } from '../support/errors';

class ExampleConfig {
  @IsString() host = '127.0.0.1';
  @IsInt() @Min(1) @Max(65_535) port = 6379;
  @IsBoolean() tls = false;
  @AsDuration() @IsInt() @Min(0) connectTimeout = 5_000;
  @AsList() @IsString({ each: true }) @ArrayNotEmpty() nodes = ['127.0.0.1:6379'];
  @Secret() @IsString() @MinLength(8) password = 'local-dev-only';
  @IsString() @Matches(/^[a-z]+$/) apiKey = 'abc';
  @IsOptional() @IsString() url?: string;
}

function loadError(env: NodeJS.ProcessEnv): unknown {
  try {
    loadEnv(ExampleConfig, 'RD_EXAMPLE', env);
  } catch (error) {
    return error;
  }
  return assert.fail('expected loadEnv to throw');
}

describe('loadEnv', () => {
  it('keeps the defaults of the config class when no variable is set', () => {
    const config = loadEnv(ExampleConfig, 'RD_EXAMPLE', {});
    assert.ok(config instanceof ExampleConfig);
    assert.deepEqual({ ...config }, { host: '127.0.0.1', port: 6379, tls: false, connectTimeout: 5_000, nodes: ['127.0.0.1:6379'], password: 'local-dev-only', apiKey: 'abc' });
  });

  it('reads <PREFIX>_<FIELD> variables, converting numbers, booleans, durations and comma lists', () => {
    const config = loadEnv(ExampleConfig, 'RD_EXAMPLE', {
      RD_EXAMPLE_HOST: 'cache.internal',
      RD_EXAMPLE_PORT: ' 6380 ',
      RD_EXAMPLE_TLS: 'yes',
      RD_EXAMPLE_CONNECT_TIMEOUT: '2s',
      RD_EXAMPLE_NODES: 'a:1, b:2,,c:3 ',
      RD_EXAMPLE_URL: 'redis://cache.internal',
      OTHER_PORT: 'ignored',
    });
    assert.deepEqual([config.host, config.port, config.tls, config.connectTimeout, config.nodes, config.url], ['cache.internal', 6380, true, 2_000, ['a:1', 'b:2', 'c:3'], 'redis://cache.internal']);
  });

  it('understands durations in ms, s, m and h, and bare numbers of ms', () => {
    const durations = ['150ms', '2s', '1m', '1.5m', '1h', '250', '0'].map((v) => loadEnv(ExampleConfig, 'X', { X_CONNECT_TIMEOUT: v }).connectTimeout);
    assert.deepEqual(durations, [150, 2_000, 60_000, 90_000, 3_600_000, 250, 0]);
  });

  it('understands true/false, 1/0, yes/no and on/off, in any case', () => {
    const values = ['true', 'FALSE', '1', '0', 'Yes', 'no', 'on', 'OFF'].map((v) => loadEnv(ExampleConfig, 'X', { X_TLS: v }).tls);
    assert.deepEqual(values, [true, false, true, false, true, false, true, false]);
  });

  it('reads process.env by default', () => {
    process.env['BM_SPEC_ENV_PORT'] = '1234';
    try {
      assert.equal(loadEnv(ExampleConfig, 'BM_SPEC_ENV').port, 1234);
    } finally {
      delete process.env['BM_SPEC_ENV_PORT'];
    }
  });

  it('throws one InvalidConfig listing every bad variable by its full name', () => {
    const error = loadError({
      RD_EXAMPLE_PORT: 'six thousand',
      RD_EXAMPLE_TLS: 'maybe',
      RD_EXAMPLE_CONNECT_TIMEOUT: '2 weeks',
      RD_EXAMPLE_NODES: '',
      RD_EXAMPLE_HOST: 'fine.example',
    });
    assertBandmasterError(error, { kind: 'InvalidConfig', service: 'RD_EXAMPLE', variables: ['RD_EXAMPLE_PORT', 'RD_EXAMPLE_TLS', 'RD_EXAMPLE_CONNECT_TIMEOUT', 'RD_EXAMPLE_NODES'] });
  });

  it('reports validation rules broken by converted values, next to conversion failures', () => {
    const error = loadError({ RD_EXAMPLE_PORT: '70000', RD_EXAMPLE_TLS: 'perhaps', RD_EXAMPLE_API_KEY: 'UPPER' });
    assertBandmasterError(error, { kind: 'InvalidConfig', variables: ['RD_EXAMPLE_TLS', 'RD_EXAMPLE_PORT', 'RD_EXAMPLE_API_KEY'] });
    assert.ok(error.detail?.includes('RD_EXAMPLE_PORT="70000": must not be greater than 65535'), error.detail);
  });

  it('masks secret values, declared or recognised by name, in the error', () => {
    const error = loadError({ RD_EXAMPLE_PASSWORD: 'hunter2', RD_EXAMPLE_API_KEY: 'Sup3r-Secret', RD_EXAMPLE_PORT: 'x' });
    assertBandmasterError(error, { kind: 'InvalidConfig', variables: ['RD_EXAMPLE_PORT', 'RD_EXAMPLE_PASSWORD', 'RD_EXAMPLE_API_KEY'] });
    for (const secret of ['hunter2', 'Sup3r-Secret']) {
      assert.equal(error.message.includes(secret), false, error.message);
      assert.equal(error.detail?.includes(secret), false);
    }
    assert.ok(error.detail?.includes('RD_EXAMPLE_PASSWORD=****'), error.detail);
  });
});

describe('maskSecrets', () => {
  it('masks secret fields and the credentials in URLs, for logs', () => {
    const config = loadEnv(ExampleConfig, 'X', { X_URL: 'redis://admin:pa55@cache:6379/0', X_NODES: 'redis://u:p@a:1,b:2' });
    assert.deepEqual(maskSecrets(config), {
      host: '127.0.0.1',
      port: 6379,
      tls: false,
      connectTimeout: 5_000,
      nodes: ['redis://u:****@a:1', 'b:2'],
      password: '****',
      apiKey: '****',
      url: 'redis://admin:****@cache:6379/0',
    });
  });
});

describe('hardened variables (issue 15, points 3, 6, 9)', () => {
  const cases: Array<{ config: Constructor<object>; prefix: string; variable: string; value: string }> = [
    { config: RedisConfig, prefix: 'RD', variable: 'RD_URI', value: 'redis://u:pw-secret@host:99999' },
    { config: RedisConfig, prefix: 'RD', variable: 'RD_URI', value: 'redis://u:pw-secret@host:-1' },
    { config: RedisConfig, prefix: 'RD', variable: 'RD_URI', value: 'redis://u:pw-secret@[::1' },
    { config: RedisConfig, prefix: 'RD', variable: 'RD_CLUSTER_NODES', value: 'a:7000,b:0' },
    { config: RedisConfig, prefix: 'RD', variable: 'RD_SENTINELS', value: 'a:99999' },
    { config: RedisConfig, prefix: 'RD', variable: 'RD_DB', value: '1e20' },
    { config: MemcachedConfig, prefix: 'MC', variable: 'MC_SERVERS', value: 'cache:0' },
    { config: KafkaConfig, prefix: 'KF', variable: 'KF_BROKERS', value: 'broker:99999' },
    { config: CassandraConfig, prefix: 'CQ', variable: 'CQ_CONTACT_POINTS', value: 'node:70000' },
    { config: SqlConfig, prefix: 'PG', variable: 'PG_MAX', value: '1e21' },
    { config: SqlConfig, prefix: 'PG', variable: 'PG_PORT', value: '0x10' },
    { config: RedisConfig, prefix: 'RD', variable: 'RD_CONNECT_TIMEOUT', value: '1e3' },
  ];
  for (const { config, prefix, variable, value } of cases) {
    it(`${variable}=${value} is an InvalidConfig at config time naming the variable, with no secret`, () => {
      let caught: unknown;
      try {
        loadEnv(config, prefix, { [variable]: value });
      } catch (err) {
        caught = err;
      }
      assertBandmasterError(caught, { kind: 'InvalidConfig', variables: [variable] });
      assert.ok(!inspect(caught, { depth: 10 }).includes('pw-secret'));
      assert.equal(caught.cause, undefined, 'no raw ERR_INVALID_URL cause');
    });
  }

  it('a Redis URI new URL rejects fails at registration, not retried at start', () => {
    assert.throws(() => redis({ name: 'rd-bad', config: { uri: 'redis://u:pw@host:99999' } }), (err: unknown) => err instanceof BandmasterError && err.kind === 'InvalidConfig');
  });

  it('accepts Go durations: 1m30s, 1.5h, 250ms, 10us, 100ns', () => {
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1500us'), 2);
    assert.equal(parseDuration('100ns'), 1);
    assert.equal(parseDuration('1h2m3s4ms'), 3_723_004);
    assert.equal(parseDuration('1500'), 1500);
    for (const bad of ['', '0x10', '1e3', '-1s', '1d', 'ms', '1 m', 'Infinity', '1m30']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('clamps a duration above 2^31-1 ms instead of letting a timer turn it into 1 ms', () => {
    assert.equal(parseDuration('1000h'), 2 ** 31 - 1);
    assert.equal(loadEnv(RedisConfig, 'RD', { RD_CONNECT_TIMEOUT: '1000h' }).connectTimeout, 2 ** 31 - 1);
    const explicit = resolveConfig(RedisConfig, { name: 'rd-1', config: { connectTimeout: 3e9 } });
    assert.equal(explicit.connectTimeout, 2 ** 31 - 1);
  });
});
