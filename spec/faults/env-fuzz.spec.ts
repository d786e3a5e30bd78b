import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { inspect } from 'node:util';
import { AsDuration, AsList, BandmasterError, Secret, loadEnv, parseDuration, resolveConfig } from '../../lib';
import { MAX_DELAY_MS } from '../../lib/delay';
import { ElasticsearchConfig } from '../../providers/elasticsearch';
import { MemcachedConfig } from '../../providers/memcached';
import { NatsConfig } from '../../providers/nats';
import { RedisConfig } from '../../providers/redis';
import { SqlConfig } from '../../providers/sql';
import { prng } from './support/random-graph';

class FuzzConfig {
  @IsString() @IsNotEmpty() host = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) port = 6379;
  @IsBoolean() tls = false;
  @AsDuration() @IsInt() @Min(0) connectTimeout = 5_000;
  @AsList() @IsString({ each: true }) nodes: string[] = ['127.0.0.1:6379'];
  @Secret() @IsOptional() @IsString() @Matches(/^[^\s]+$/) password?: string;
  @IsOptional() @Matches(/^redis:\/\/[a-z0-9.]+:\d+$/) url?: string;
  @IsIn(['primary', 'replica']) role = 'primary';
}

const FIELDS = ['HOST', 'PORT', 'TLS', 'CONNECT_TIMEOUT', 'NODES', 'PASSWORD', 'URL', 'ROLE'];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'FZ___PROTO__', 'FZ_CONSTRUCTOR', 'FZ_PROTOTYPE', 'FZ_', 'FZ', ''];
const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '{"__proto__":{"polluted":true}}', '[object Object]', 'undefined', 'null'];
const NUMERIC = ['', ' ', '0', '-1', '65536', '1e309', '-1e309', 'NaN', 'Infinity', '0x1F', ' 42 ', '4.2', '-0', '1_000', '٣'];
const TEXTUAL = ['5s', '1.5m', '2h', '10ms', '1e3ms', '-5s', '5 s', '5S', 'true', 'FALSE', 'yes', 'on', 'maybe', ',,,', 'a,,b', ' , ', 'primary', 'replica'];
const UNICODE = ['🙂', 'ﬀ', '\u0000', '\ud800', 'e\u0301', '\u202e', '\u200b', 'ǅ', '𝔘𝔫𝔦', '\r\n', '\t'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function randomText(random: () => number): string {
  const length = Math.floor(random() ** 2 * 200);
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCodePoint(random() < 0.8 ? 32 + Math.floor(random() * 95) : Math.floor(random() * 0x10ffff) & ~0x800);
  return s;
}

/** A value, and the secret it hides, if any. */
function randomValue(random: () => number, field: string): { value: string; secret?: string } {
  const r = random();
  if (field === 'PASSWORD' && r < 0.5) {
    const secret = `pw-${Math.floor(random() * 1e12).toString(36)}${pick(random, ['', ' ', ' x'])}`;
    return { value: secret, secret: secret.split(' ')[0] };
  }
  if (field === 'URL' && r < 0.5) {
    const secret = `hunter${Math.floor(random() * 1e9).toString(36)}`;
    return { value: `${pick(random, ['redis', 'http', 'rediss'])}://admin:${secret}@${pick(random, ['host', 'h ost', '10.0.0.1'])}:${pick(random, ['6379', 'x'])}`, secret };
  }
  if (r < 0.004) return { value: pick(random, ['x', '🙂', ',']).repeat(1 << 20) };
  if (r < 0.2) return { value: pick(random, HOSTILE) };
  if (r < 0.45) return { value: pick(random, NUMERIC) };
  if (r < 0.65) return { value: pick(random, TEXTUAL) };
  if (r < 0.8) return { value: pick(random, UNICODE).repeat(1 + Math.floor(random() * 3)) };
  return { value: randomText(random) };
}

/** A random environment, as a plain object, a null-prototype object, or parsed JSON (own `__proto__`). */
function randomEnv(random: () => number): { env: NodeJS.ProcessEnv; secrets: string[] } {
  const entries: [string, string][] = [];
  const secrets: string[] = [];
  for (const field of FIELDS) {
    if (random() < 0.4) continue;
    const { value, secret } = randomValue(random, field);
    entries.push([`FZ_${field}`, value]);
    if (secret) secrets.push(secret);
  }
  if (random() < 0.3) entries.push([pick(random, HOSTILE_KEYS), randomValue(random, 'X').value]);
  const shape = random();
  if (shape < 0.3) return { env: JSON.parse(JSON.stringify(Object.fromEntries(entries)).replace('"FZ___PROTO__"', '"__proto__"')) as NodeJS.ProcessEnv, secrets };
  const env = (shape < 0.6 ? Object.create(null) : {}) as Record<string, string>;
  for (const [k, v] of entries) Object.defineProperty(env, k, { value: v, enumerable: true, writable: true, configurable: true });
  return { env, secrets };
}

const prototypeNames = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();

/** The outcome must be a FuzzConfig or one InvalidConfig error naming only variables that were set, with no secret in it. */
function checkOutcome(run: () => unknown, secrets: readonly string[], names: readonly string[]): 'valid' | 'invalid' {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    assert.ok(error instanceof BandmasterError, `a crash: ${String(error)}`);
    assert.equal(error.kind, 'InvalidConfig');
    for (const v of error.variables ?? []) assert.ok(names.includes(v), `names a variable that was set: ${v}`);
    assert.ok(error.message.length < 16_384, 'the message stays readable');
    for (const secret of secrets) assert.equal(error.message.includes(secret), false, 'no secret in the message');
    return 'invalid';
  }
  assert.ok(result instanceof FuzzConfig);
  assert.equal(Object.getPrototypeOf(result), FuzzConfig.prototype);
  return 'valid';
}

const INPUTS = 3_000;

describe('fault injection: hostile configuration', () => {
  it(`${INPUTS} seeded random and hostile environments give a config or one InvalidConfig, never a crash, a leak or a polluted prototype`, () => {
    const random = prng(0xbad5eed);
    const before = prototypeNames();
    const tally = { valid: 0, invalid: 0 };
    for (let i = 0; i < INPUTS; i++) {
      const { env, secrets } = randomEnv(random);
      const prefix = random() < 0.95 ? 'FZ' : pick(random, ['__proto__', 'constructor', '', 'FZ_']);
      const names = Object.keys(env);
      tally[checkOutcome(() => loadEnv(FuzzConfig, prefix, env), secrets, names)]++;
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined, `input ${i} polluted Object.prototype`);
    }
    assert.deepEqual(prototypeNames(), before);
    assert.equal((FuzzConfig.prototype as unknown as Record<string, unknown>)['polluted'], undefined);
    // both outcomes were reached often: the fuzzer explores, not only fails
    assert.ok(tally.valid > INPUTS / 20 && tally.invalid > INPUTS / 2, JSON.stringify(tally));
  });

  it('explicit provider config objects with hostile keys give a config or one InvalidConfig, never a swapped prototype', () => {
    const random = prng(0x5eed);
    const hostile = [
      '{"__proto__":{"polluted":true,"port":"x"}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"prototype":{"polluted":true}}',
      '{"port":70000}',
      '{"password":42}',
      '{"password":"pw-s3cr3t-value with space"}',
      '{"url":"ftp://root:pw-t0ps3cr3t@host:1"}',
    ];
    let runs = 0;
    for (let i = 0; i < 500; i++) {
      let json = hostile[i];
      let secrets = ['pw-s3cr3t-value', 'pw-t0ps3cr3t'];
      if (json === undefined) {
        const key = pick(random, ['port', 'host', 'tls', 'password', 'role', 'url', '__proto__']);
        const { value, secret } = randomValue(random, key.toUpperCase());
        json = JSON.stringify({ [key]: value });
        secrets = secret ? [secret] : [];
      }
      const config = JSON.parse(json) as Partial<FuzzConfig>;
      checkOutcome(() => resolveConfig(FuzzConfig, { name: 'fz', config }), secrets, Object.keys(config).map((k) => `config.${k}`));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      runs++;
    }
    assert.equal(runs, 500);
  });
});

/** Characters legal in a URL's userinfo that once ended the mask early, and others that are not legal but typed anyway. */
const ODD = [',', '@', ' ', '/', ':', '#', '?', '%', ';', '=', '&', '+', '\t', '"', "'", '\\', '[', ']', 'é', '中', '🙂'];

function oddSecret(random: () => number): string {
  const length = pick(random, [1, 8, 40, 76, 77, 78, 80, 200, 1_000, 5_000]);
  let s = 'S';
  while (s.length < length) s += random() < 0.4 ? pick(random, ODD) : String.fromCharCode(97 + Math.floor(random() * 26));
  return `${s}Z${Math.floor(random() * 1e9).toString(36)}`;
}

/** Every URL-bearing variable of the providers, with how a value carrying `user:secret@` is written. */
const URL_VARIABLES: Array<{ configClass: new () => object; prefix: string; variable: string; wrap: (pw: string, tail: string) => string; list: boolean }> = [
  { configClass: RedisConfig, prefix: 'RD', variable: 'RD_URI', wrap: (pw, tail) => `redis://app:${pw}@${tail}`, list: false },
  { configClass: SqlConfig, prefix: 'PG', variable: 'PG_URL', wrap: (pw, tail) => `postgres://app:${pw}@${tail}`, list: false },
  { configClass: NatsConfig, prefix: 'NT', variable: 'NT_SERVERS', wrap: (pw, tail) => `nats://app:${pw}@${tail}`, list: true },
  { configClass: ElasticsearchConfig, prefix: 'ES', variable: 'ES_NODES', wrap: (pw, tail) => `http://app:${pw}@${tail}`, list: true },
  { configClass: MemcachedConfig, prefix: 'MC', variable: 'MC_SERVERS', wrap: (pw, tail) => `app:${pw}@${tail}`, list: true },
];
const TAILS = ['127.0.0.1:6379', 'host:99999', 'host:0', '[::1', 'h ost:1', 'host:6379/x', '', 'host:-1', 'host:6379/0?x=1'];

/** Every text an error or a config can be seen as: message, cause chain, inspect, JSON, String. */
function allTexts(value: unknown): string[] {
  const texts = [String(value), inspect(value, { depth: 12 }), JSON.stringify(value) ?? ''];
  for (let e: unknown = value, i = 0; e instanceof Error && i < 10; e = e.cause, i++) texts.push(e.message, e.stack ?? '', JSON.stringify(e) ?? '');
  return texts;
}

const SECRET_INPUTS = 2_000;
const DURATION_INPUTS = 3_000;

describe('fault injection: secrets and durations in every provider variable', () => {
  it(`${SECRET_INPUTS} long and odd-character passwords in every URL-bearing variable appear nowhere`, () => {
    const random = prng(0x5ec2e7);
    const tally = { valid: 0, invalid: 0, longest: 0 };
    for (let i = 0; i < SECRET_INPUTS; i++) {
      const target = pick(random, URL_VARIABLES);
      let secret = oddSecret(random);
      if (target.list) secret = secret.replace(/,/g, ';'); // a comma splits a list variable: that is its syntax
      const value = target.wrap(secret, pick(random, TAILS));
      let outcome: unknown;
      try {
        outcome = loadEnv(target.configClass, target.prefix, { [target.variable]: value });
        tally.valid++;
      } catch (err) {
        assert.ok(err instanceof BandmasterError && err.kind === 'InvalidConfig', `${target.variable}: a crash: ${String(err)}`);
        outcome = err;
        tally.invalid++;
      }
      // the secret's distinctive tail, and any 12-character piece of it, shows nowhere
      const pieces = [secret.slice(-8), ...(secret.length >= 24 ? [secret.slice(1, 13), secret.slice(-14, -2)] : [])];
      for (const text of allTexts(outcome)) {
        tally.longest = Math.max(tally.longest, text.length);
        for (const piece of pieces) assert.ok(!text.includes(piece), `${target.variable}=${JSON.stringify(value.slice(0, 120))}: the secret leaked in ${text.slice(0, 300)}`);
      }
    }
    assert.ok(tally.valid > 50 && tally.invalid > 50, JSON.stringify(tally));
    process.stdout.write(`# env fuzz: ${SECRET_INPUTS} URL secrets tried (${tally.valid} valid configs, ${tally.invalid} InvalidConfig), 0 found, longest text ${tally.longest} chars\n`);
  });

  it(`${DURATION_INPUTS} durations, Go forms and > 2^31-1 ms included, give an integer timer delay or one InvalidConfig`, () => {
    const random = prng(0xd0a7);
    const units = ['ns', 'us', 'µs', 'ms', 's', 'm', 'h', '', 'd', 'S', ' s'];
    const fixed = ['1m30s', '1000h', '3000000000', '2147483648', '1e3', '0x10', '-1s', 'Infinity', '1.5h', '.5s', '5.s', '1h1h', '9'.repeat(400), '99999999999999h'];
    let valid = 0;
    for (let i = 0; i < DURATION_INPUTS; i++) {
      let text = fixed[i];
      if (text === undefined) {
        const terms = 1 + Math.floor(random() * 3);
        text = '';
        for (let t = 0; t < terms; t++) text += `${(random() * 10 ** Math.floor(random() * 13)).toFixed(Math.floor(random() * 3))}${pick(random, units)}`;
      }
      const parsed = parseDuration(text);
      if (parsed !== undefined) {
        assert.ok(Number.isInteger(parsed) && parsed >= 0 && parsed <= MAX_DELAY_MS, `${text} -> ${parsed}`);
        valid++;
      }
      try {
        const config = loadEnv(RedisConfig, 'RD', { RD_CONNECT_TIMEOUT: text, RD_COMMAND_TIMEOUT: text });
        assert.equal(config.connectTimeout, parsed === 0 ? config.connectTimeout : parsed, text);
        assert.ok(config.commandTimeout <= MAX_DELAY_MS);
      } catch (err) {
        assert.ok(err instanceof BandmasterError && err.kind === 'InvalidConfig', `${text}: a crash: ${String(err)}`);
        assert.ok(err.variables?.every((v) => v === 'RD_CONNECT_TIMEOUT' || v === 'RD_COMMAND_TIMEOUT'));
      }
    }
    for (const ms of [3e9, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      assert.equal(resolveConfig(RedisConfig, { name: 'rd', config: { connectTimeout: ms } }).connectTimeout, MAX_DELAY_MS);
    }
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.ok(valid > DURATION_INPUTS / 4, `valid: ${valid}`);
    process.stdout.write(`# duration fuzz: ${DURATION_INPUTS} inputs, ${valid} valid, all within 0..${MAX_DELAY_MS} ms\n`);
  });
});
