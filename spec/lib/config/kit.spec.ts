import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { IsString } from 'class-validator';
import { Container, defineProvider, isNetworkError, loadPeer, MaskedConfig, maskValue, networkError, parseAddress, parseServerUrl, resolveConfig, Secret, type Logger, type ProviderContext } from '../../../lib';
import { BandmasterError } from '../../../lib';

function thrown(fn: () => unknown, kind: string): BandmasterError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BandmasterError, `expected a BandmasterError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    return err;
  }
  assert.fail('expected a throw');
}

describe('the provider kit', () => {
  describe('maskValue', () => {
    const cases: Array<[string, string, string]> = [
      ['redis://user:a,b-secret@host:6379', 'a,b-secret', 'redis://user:****@host:6379'],
      ['redis://user:p@ss@host:6379/0', 'p@ss', 'redis://user:****@host:6379/0'],
      ['postgres://user:sp ace@db:5432/app', 'sp ace', 'postgres://user:****@db:5432/app'],
      ['postgres://app:' + 'x'.repeat(500) + '@db/app', 'x'.repeat(500), 'postgres://app:****@db/app'],
      ['nats://u:p1@a:4222,nats://u:p2@b:4222', 'p1', 'nats://u:****@a:4222,nats://u:****@b:4222'],
      ['nats://s3cr3t-token@a:4222', 's3cr3t-token', 'nats://****@a:4222'],
      ['user:hunter2@cache:11211', 'hunter2', 'user:****@cache:11211'],
      ['postgres://db/app?password=topsecret&sslmode=require', 'topsecret', 'postgres://db/app?password=****&sslmode=require'],
    ];
    for (const [input, secret, expected] of cases) {
      it(`masks the password of ${JSON.stringify(input.slice(0, 40))} whole, keeping user and host`, () => {
        const masked = String(maskValue(input));
        assert.equal(masked, expected);
        assert.ok(!masked.includes(secret));
      });
    }

    it('keeps a user name without password readable (only passwords are masked)', () => {
      assert.equal(maskValue('postgres://app@db:5432/app'), 'postgres://app@db:5432/app');
    });
  });

  describe('parseAddress', () => {
    it('parses host:port, [v6]:port and a bare host with a default port', () => {
      assert.deepEqual(parseAddress('cache:6379'), { host: 'cache', port: 6379 });
      assert.deepEqual(parseAddress('[::1]:6379'), { host: '::1', port: 6379 });
      assert.deepEqual(parseAddress('cache', 11211), { host: 'cache', port: 11211 });
    });

    for (const bad of ['cache:0', 'cache:99999', 'cache:-1', 'cache:', 'cache:0x10', '[::1', '::1:6379', 'a b:1', '', 'cache:6379:1', 'user:p@cache:1']) {
      it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseAddress(bad, 6379), undefined));
    }

    it('parseServerUrl rejects what new URL rejects without keeping its error (whose input holds the password)', () => {
      for (const bad of ['redis://u:pw@host:99999', 'redis://u:pw@host:-1', 'redis://u:pw@[::1', 'redis://u:pw@host:0']) {
        const result = parseServerUrl(bad, ['redis:', 'rediss:']);
        assert.ok('rule' in result, bad);
        assert.ok(!JSON.stringify(result).includes('pw'));
      }
      assert.ok('url' in parseServerUrl('redis://u:pw@host:6379/0', ['redis:']));
    });
  });

  describe('MaskedConfig', () => {
    class QueueConfig extends MaskedConfig {
      @IsString() url = 'amqp://app:p@ss,word@mq:5672';
      @Secret() @IsString() password = 'hunter2';
    }

    it('masks secrets in String, JSON and util.inspect', () => {
      const config = new QueueConfig();
      for (const shown of [String(config), JSON.stringify(config), inspect(config)]) {
        assert.ok(!shown.includes('hunter2') && !shown.includes('p@ss'), shown);
        assert.ok(shown.includes('amqp://app:****@mq:5672'), shown);
      }
    });

    it('rejects unknown and method-shadowing config keys, naming them', () => {
      for (const key of ['passwrod', 'toString', 'toJSON']) {
        const err = thrown(() => resolveConfig(QueueConfig, { name: 'q-1', config: { [key]: 'x' } as never }), 'InvalidConfig');
        assert.match(err.message, new RegExp(`config\\.${key}: not a configuration field`));
      }
    });

    it('turns a value whose toString throws into a clean InvalidConfig', () => {
      const bomb = {
        toString(): string {
          throw new Error('boom');
        },
      };
      const err = thrown(() => resolveConfig(QueueConfig, { name: 'q-1', config: { url: bomb } as never }), 'InvalidConfig');
      assert.match(err.message, /config\.url/);
    });
  });

  describe('errors and peers', () => {
    it('isNetworkError finds a socket code in the cause chain and in an AggregateError', () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      assert.ok(isNetworkError(new Error('wrapped', { cause: refused })));
      assert.ok(isNetworkError(new AggregateError([new Error('x'), refused])));
      assert.ok(!isNetworkError(new Error('WRONGPASS')));
      assert.match(networkError('queue', 'u:pw@mq:5672', refused).message, /^queue at u:\*\*\*\*@mq:5672 is unreachable/);
    });

    it('loadPeer requires a package once and returns the same module', () => {
      assert.equal(loadPeer('node:path', 'demo'), loadPeer('node:path', 'demo'));
      thrown(() => loadPeer('bandmaster-no-such-peer', 'demo'), 'InvalidDefinition');
    });
  });

  describe('the provider context', () => {
    class DemoConfig extends MaskedConfig {
      @IsString() url = 'demo://local';
    }
    const demo = defineProvider<DemoConfig, { ctx?: ProviderContext }>({
      provider: 'demo',
      configClass: DemoConfig,
      create: () => ({}),
      start: async (client, context) => {
        client.ctx = context;
        context.log.warn('demo warning', { service: context.name });
      },
      healthCheck: async () => undefined,
      stop: async () => undefined,
    });

    it("gives hooks the signal, the name and the container's own logger", async () => {
      const lines: string[] = [];
      const logger: Logger = { error: () => undefined, warn: (m) => lines.push(m), info: () => undefined, debug: () => undefined };
      const container = new Container({ logger });
      container.register(demo({ name: 'demo-1' }));
      await container.startAll();
      const client = container.resolve<{ ctx?: ProviderContext }>('demo-1');
      assert.equal(client.ctx?.name, 'demo-1');
      assert.ok(client.ctx?.signal instanceof AbortSignal);
      assert.ok(lines.includes('demo warning'));
      await container.stopAll();
    });
  });
});
