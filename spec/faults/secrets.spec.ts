import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { BootError, Container, ShutdownError, loadEnv, type AnyDefinition, type Constructor, type LifecycleReport, type Logger } from '../../lib';
import { envName } from '../../lib/env';
import { CassandraConfig, cassandra } from '../../providers/cassandra';
import { ElasticsearchConfig, elasticsearch } from '../../providers/elasticsearch';
import { KafkaConfig, kafka } from '../../providers/kafka';
import { MemcachedConfig, memcached } from '../../providers/memcached';
import { NatsConfig, nats } from '../../providers/nats';
import { RedisConfig, redis } from '../../providers/redis';
import { SqlConfig, sql } from '../../providers/sql';
import { startCassandraTestServer } from '../support/cassandra-server';
import { startElasticsearchTestServer } from '../support/elasticsearch-server';
import { PrivateServer, freePort } from './support/servers';

/** A secret that cannot appear in any text by chance. */
const secret = (label: string): string => `${label}-${randomBytes(8).toString('hex')}`;

/** Every form a secret could leak in: as is, URL-encoded, base64 alone or in `user:secret` basic auth. */
function forms(value: string, user: string): string[] {
  return [value, encodeURIComponent(value), Buffer.from(value).toString('base64'), Buffer.from(`${user}:${value}`).toString('base64')];
}

const teardowns: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const t of teardowns.splice(0).reverse()) await t().catch(() => undefined);
});

let linesSearched = 0;
after(() => process.stdout.write(`# secrets: ${linesSearched} lines searched\n`));

/** Every text a user could see: log lines, events as logged, errors (messages, stacks, inspected), reports, status, health, pictures. */
async function everythingVisible(definition: AnyDefinition): Promise<{ texts: string[]; started: boolean }> {
  const texts: string[] = [];
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>) => void texts.push(JSON.stringify({ level, msg, ...fields }), inspect(fields, { depth: 8 }));
  const logger: Logger = { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
  const container = new Container({ logger });
  container.events.on((e) => void texts.push(inspect(e, { depth: 8 })));
  container.register(definition);
  const record = (report: LifecycleReport): void => void texts.push(report.toString(), JSON.stringify(report.toJSON()), inspect(report, { depth: 8 }));
  const recordError = (error: unknown): void => {
    texts.push(String(error), inspect(error, { depth: 8 }));
    if (error instanceof BootError || error instanceof ShutdownError) {
      record(error.report);
      for (let e: unknown = error; e instanceof Error; e = e.cause) texts.push(e.message, e.stack ?? '');
      for (const inner of error.errors) for (let e: unknown = inner; e instanceof Error; e = e.cause) texts.push(e.message, e.stack ?? '');
    }
  };
  let started = false;
  try {
    record(await container.startAll({ timeout: 10_000 }));
    started = true;
  } catch (error) {
    recordError(error);
  }
  texts.push(inspect(container.status(), { depth: 8 }), JSON.stringify(await container.health({ timeout: 2_000 })));
  texts.push(container.timeline().toText(), container.timeline().toSvg(), container.graph().toDot(), container.graph().toMermaid());
  try {
    record(await container.stopAll({ timeout: 5_000 }));
  } catch (error) {
    recordError(error);
  }
  return { texts, started };
}

function assertNoSecret(texts: readonly string[], secrets: readonly string[], user: string): void {
  linesSearched += texts.reduce((n, t) => n + t.split('\n').length, 0);
  for (const s of secrets) {
    for (const form of forms(s, user)) {
      const leak = texts.find((t) => t.includes(form));
      assert.equal(leak, undefined, `secret ${s} (as ${form}) leaked in:\n${leak?.slice(0, 2_000)}`);
    }
  }
}

const USER = 'appuser';
const RETRY = { retries: 1, backoff: 1 };

describe('fault injection: secrets', () => {
  it('Redis: no password, ACL password or URL credential in anything visible, when the boot fails and when it succeeds', async () => {
    const [password, urlPassword] = [secret('rd-pass'), secret('rd-url')];
    const closed = await freePort();
    const failing = redis({ name: 'rd', config: { uri: `redis://${USER}:${urlPassword}@127.0.0.1:${closed}/0`, password, connectTimeout: 300 }, ...RETRY });
    const refused = redis({ name: 'rd', config: { uri: `redis://${USER}:${urlPassword}@127.0.0.1:6379`, password, connectTimeout: 1_000 }, ...RETRY });
    const server = PrivateServer.redis(await freePort(), ['--requirepass', password]);
    teardowns.push(() => server.kill());
    await server.start();
    const working = redis({ name: 'rd', config: { uri: `redis://:${password}@127.0.0.1:${server.port}`, connectTimeout: 2_000 } });
    const outcomes = [await everythingVisible(failing), await everythingVisible(refused), await everythingVisible(working)];
    assert.deepEqual(outcomes.map((o) => o.started), [false, false, true]);
    for (const o of outcomes) assertNoSecret(o.texts, [password, urlPassword], USER);
  });

  it('PostgreSQL: no password or URL credential in anything visible, when the boot fails and when it succeeds', async () => {
    const [password, urlPassword] = [secret('pg-pass'), secret('pg-url')];
    const closed = await freePort();
    const failing = sql({ name: 'pg', config: { url: `postgres://${USER}:${urlPassword}@127.0.0.1:${closed}/app`, password, connectTimeout: 300 }, ...RETRY });
    const unknownRole = sql({ name: 'pg', config: { url: `postgres://${USER}:${urlPassword}@127.0.0.1:5432/postgres`, connectTimeout: 2_000 }, ...RETRY });
    // the local server trusts local connections: the password is sent for nothing, and must still not show
    const working = sql({ name: 'pg', config: { url: `postgres://postgres:${urlPassword}@127.0.0.1:5432/postgres`, password, connectTimeout: 2_000 } });
    const outcomes = [await everythingVisible(failing), await everythingVisible(unknownRole), await everythingVisible(working)];
    assert.deepEqual(outcomes.map((o) => o.started), [false, false, true]);
    for (const o of outcomes) assertNoSecret(o.texts, [password, urlPassword], USER);
  });

  it('memcached: no SASL password in anything visible, unreachable or refused', async () => {
    const password = secret('mc-pass');
    const closed = await freePort();
    const failing = memcached({ name: 'mc', config: { servers: [`127.0.0.1:${closed}`], username: USER, password }, ...RETRY });
    const refused = memcached({ name: 'mc', config: { servers: ['127.0.0.1:11211'], username: USER, password }, ...RETRY });
    const outcomes = [await everythingVisible(failing), await everythingVisible(refused)];
    for (const o of outcomes) assertNoSecret(o.texts, [password], USER);
    assert.equal(outcomes[0]!.started, false);
  });

  it('Cassandra: no password in anything visible, when the boot fails and when it succeeds', async () => {
    const password = secret('cs-pass');
    const closed = await freePort();
    const server = await startCassandraTestServer();
    teardowns.push(() => server.close());
    const failing = cassandra({ name: 'cs', config: { contactPoints: [`127.0.0.1:${closed}`], username: USER, password, connectTimeout: 500 }, ...RETRY });
    const working = cassandra({ name: 'cs', config: { contactPoints: [server.contactPoint], username: USER, password, connectTimeout: 2_000 } });
    const outcomes = [await everythingVisible(failing), await everythingVisible(working)];
    assert.deepEqual(outcomes.map((o) => o.started), [false, true]);
    for (const o of outcomes) assertNoSecret(o.texts, [password], USER);
  });

  it('Elasticsearch: no password, API key or URL credential in anything visible, unreachable, refused (401) or started', async () => {
    const [password, apiKey, urlPassword] = [secret('es-pass'), secret('es-key'), secret('es-url')];
    const closed = await freePort();
    const server = await startElasticsearchTestServer({ username: USER, password });
    teardowns.push(() => server.close());
    const base = { ...RETRY, name: 'es' };
    const failing = elasticsearch({ ...base, config: { nodes: [`http://${USER}:${urlPassword}@127.0.0.1:${closed}`], requestTimeout: 500 } });
    const keyed = elasticsearch({ ...base, config: { nodes: [`http://127.0.0.1:${closed}`], apiKey, requestTimeout: 500 } });
    const refused = elasticsearch({ ...base, config: { nodes: [server.url], username: USER, password: urlPassword, requestTimeout: 2_000 } });
    const working = elasticsearch({ ...base, config: { nodes: [server.url], username: USER, password, requestTimeout: 2_000 } });
    const outcomes = [await everythingVisible(failing), await everythingVisible(keyed), await everythingVisible(refused), await everythingVisible(working)];
    assert.deepEqual(outcomes.map((o) => o.started), [false, false, false, true]);
    for (const o of outcomes) assertNoSecret(o.texts, [password, apiKey, urlPassword], USER);
  });

  it('NATS: no password, token or URL credential in anything visible, when the boot fails and when it succeeds', async () => {
    const [password, token, urlPassword] = [secret('nt-pass'), secret('nt-token'), secret('nt-url')];
    const closed = await freePort();
    const server = PrivateServer.nats(await freePort(), ['--user', USER, '--pass', password]);
    teardowns.push(() => server.kill());
    await server.start();
    const base = { ...RETRY, name: 'nt' };
    const failing = nats({ ...base, config: { servers: [`nats://${USER}:${urlPassword}@127.0.0.1:${closed}`], timeout: 500 } });
    const tokened = nats({ ...base, config: { servers: [`127.0.0.1:${closed}`], token, timeout: 500 } });
    const refused = nats({ ...base, config: { servers: [`127.0.0.1:${server.port}`], user: USER, password: urlPassword, timeout: 2_000 } });
    const working = nats({ ...base, config: { servers: [`127.0.0.1:${server.port}`], user: USER, password, timeout: 2_000 } });
    const outcomes = [await everythingVisible(failing), await everythingVisible(tokened), await everythingVisible(refused), await everythingVisible(working)];
    assert.deepEqual(outcomes.map((o) => o.started), [false, false, false, true]);
    for (const o of outcomes) assertNoSecret(o.texts, [password, token, urlPassword], USER);
  });

  it('Kafka: no SASL password in anything visible when the brokers are unreachable', async () => {
    const password = secret('kf-pass');
    const closed = await freePort();
    const failing = kafka({ name: 'kf', config: { brokers: [`127.0.0.1:${closed}`], saslMechanism: 'plain', saslUsername: USER, saslPassword: password, requestTimeout: 500 }, ...RETRY });
    const outcome = await everythingVisible(failing);
    assert.equal(outcome.started, false);
    assertNoSecret(outcome.texts, [password], USER);
  });

  it('a long or odd-character password in any URL variable shows nowhere: not in InvalidConfig, nor in String, JSON or inspect of a valid config', () => {
    const odd = ['a,b-', 'p@ss@', 'sp ace ', 'x'.repeat(300), '%2F/#?;', '\u00e9\u4e2d'];
    const urlVariables: Array<{ configClass: Constructor<object>; prefix: string; variable: string; make: (pw: string) => string; bad: (pw: string) => string }> = [
      { configClass: RedisConfig, prefix: 'RD', variable: 'URI', make: (pw) => `redis://${USER}:${pw}@127.0.0.1:6379/0`, bad: (pw) => `redis://${USER}:${pw}@127.0.0.1:99999/x` },
      { configClass: SqlConfig, prefix: 'PG', variable: 'URL', make: (pw) => `postgres://${USER}:${pw}@127.0.0.1:5432/app`, bad: (pw) => `mysql://${USER}:${pw}@127.0.0.1:5432/app` },
      { configClass: NatsConfig, prefix: 'NT', variable: 'SERVERS', make: (pw) => `nats://${USER}:${pw}@127.0.0.1:4222`, bad: (pw) => `ftp://${USER}:${pw}@127.0.0.1:4222` },
      { configClass: ElasticsearchConfig, prefix: 'ES', variable: 'NODES', make: (pw) => `http://${USER}:${pw}@127.0.0.1:9200`, bad: (pw) => `gopher://${USER}:${pw}@127.0.0.1:9200` },
      { configClass: MemcachedConfig, prefix: 'MC', variable: 'SERVERS', make: (pw) => `${USER}:${pw}@127.0.0.1:11211`, bad: (pw) => `${USER}:${pw}@127.0.0.1:0` },
    ];
    let tried = 0;
    for (const { configClass, prefix, variable, bad } of urlVariables) {
      for (const shape of odd) {
        const pw = `${shape}${secret('url')}`;
        if (variable !== 'URI' && variable !== 'URL' && pw.includes(',')) continue; // a list variable splits on commas
        tried++;
        let caught: unknown;
        try {
          loadEnv(configClass, prefix, { [`${prefix}_${variable}`]: bad(pw) });
        } catch (err) {
          caught = err;
        }
        assert.ok(caught instanceof Error, `${prefix}_${variable} with ${JSON.stringify(shape.slice(0, 10))} was rejected`);
        const texts = [String(caught), inspect(caught, { depth: 10 }), JSON.stringify(caught), caught.stack ?? ''];
        const secretPart = pw.replace(/^[^-]*-?/, '');
        assert.ok(!texts.some((t) => t.includes(secretPart)), `${prefix}_${variable}: the secret leaked in ${texts[0]}`);
        assert.ok(!texts.some((t) => t.includes(pw)), `${prefix}_${variable}: the whole password leaked in ${texts[0]}`);
      }
    }
    for (const { configClass, prefix, variable, make } of urlVariables) {
      for (const shape of ['p@ss@', 'sp ace ', 'x'.repeat(300)]) {
        const pw = `${shape}${secret('ok')}`;
        let config: object;
        try {
          config = loadEnv(configClass, prefix, { [`${prefix}_${variable}`]: make(pw) });
        } catch {
          continue; // a shape this variable does not accept is covered above
        }
        tried++;
        for (const shown of [String(config), JSON.stringify(config), inspect(config, { depth: 8 })]) {
          assert.ok(!shown.includes(pw) && !shown.includes(pw.slice(shape.length)), `${prefix}_${variable}: the password leaked in ${shown.slice(0, 300)}`);
          assert.ok(shown.includes(USER), `${prefix}_${variable}: the user name stays readable in ${shown.slice(0, 300)}`);
        }
      }
    }
    process.stdout.write(`# secrets: ${tried} URL-variable inputs tried, 0 secrets found\n`);
  });

  it('every provider config: an InvalidConfig from the environment names the variables, never their secret values', () => {
    const configs: [string, Constructor<object>][] = [
      ['redis', RedisConfig],
      ['sql', SqlConfig],
      ['memcached', MemcachedConfig],
      ['cassandra', CassandraConfig],
      ['elasticsearch', ElasticsearchConfig],
      ['kafka', KafkaConfig],
      ['nats', NatsConfig],
    ];
    for (const [provider, configClass] of configs) {
      const env: Record<string, string> = {};
      const secrets: string[] = [];
      for (const field of Object.keys(new configClass())) {
        const name = envName('SX', field);
        if (/password|secret|token|credential|apiKey/i.test(field)) env[name] = secrets[secrets.push(secret(`${provider}-${field}`)) - 1]!;
        else if (/^(uri|url|nodes|servers|brokers|contactPoints)$/.test(field)) env[name] = `bogus://${USER}:${secrets[secrets.push(secret(`${provider}-url`)) - 1]!}@host:port:port`;
        else if (/timeout/i.test(field)) env[name] = 'not a duration';
      }
      assert.ok(secrets.length > 0, `${provider} has secret fields`);
      let message = '';
      try {
        loadEnv(configClass, 'SX', env);
      } catch (error) {
        message = `${String(error)}\n${inspect(error, { depth: 8 })}`;
      }
      assert.ok(message.includes('InvalidConfig'), `${provider}: the bad environment was refused`);
      assertNoSecret([message], secrets, USER);
    }
  });
});
