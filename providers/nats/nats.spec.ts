import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import * as natsLib from 'nats';
import { BootError, Container, Inject, Service, isBandmasterError, type OnStart } from '../../lib/index';
import { checkConformance } from '../../lib/testing';
import { freePort, pollUntil } from '../../spec/support/provider-spec';
import { NatsConfig, nats, type NatsConnection } from './index';
import { connectionOptions } from './nats.provider';

/** The servers under test: the local one unless `BANDMASTER_TEST_NATS_SERVERS` points elsewhere. */
const NATS_SERVERS = (process.env['BANDMASTER_TEST_NATS_SERVERS'] ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()).filter((s) => s !== '');
/** The servers' monitoring endpoint, when they run one (`nats-server -m 8222`). */
const NATS_MONITOR = process.env['BANDMASTER_TEST_NATS_MONITOR'] ?? 'http://127.0.0.1:8222';
const codec = natsLib.StringCodec();

function uniqueName(): string {
  return `nts-${randomUUID().slice(0, 8)}`;
}

/** Names of the connections open on the server, or undefined when it has no monitoring endpoint. */
async function connectionNames(): Promise<string[] | undefined> {
  let response: Response;
  try {
    response = await fetch(`${NATS_MONITOR}/connz?limit=100000`);
  } catch {
    return undefined;
  }
  const body = (await response.json()) as { connections?: { name?: string }[] };
  return (body.connections ?? []).map((c) => c.name ?? '');
}

describe('nats provider', () => {
  it('passes the conformance check against a real server', async () => {
    await checkConformance(() => nats({ name: uniqueName(), config: { servers: NATS_SERVERS } }));
  });

  it('injects the connection into a service that answers requests through it', async () => {
    const name = uniqueName();
    const subject = `bandmaster.${name}.echo`;
    @Service()
    class Echo implements OnStart {
      constructor(@Inject(name) readonly nc: NatsConnection) {}
      async onStart(): Promise<void> {
        this.nc.subscribe(subject, { callback: (_err, msg) => msg.respond(codec.encode(`echo: ${codec.decode(msg.data)}`)) });
        await this.nc.flush();
      }
    }
    const container = new Container({ logger: false });
    container.register(nats({ name, config: { servers: NATS_SERVERS } }), Echo);
    try {
      await container.startAll();
      const nc = container.resolve<NatsConnection>(name);
      assert.equal(container.resolve(Echo).nc, nc);
      const reply = await nc.request(subject, codec.encode('hello'), { timeout: 5_000 });
      assert.equal(codec.decode(reply.data), 'echo: hello');
      const health = await container.health();
      assert.equal(health.services.find((s) => s.name === name)?.healthy, true);
    } finally {
      await container.stopAll();
    }
  });

  it('publishes to a subscriber and round-trips a JetStream message', async () => {
    const name = uniqueName();
    const container = new Container({ logger: false });
    container.register(nats({ name, config: { servers: NATS_SERVERS } }));
    await container.startAll();
    const nc = container.resolve<NatsConnection>(name);
    const stream = `BM_${name.replace(/-/g, '_').toUpperCase()}`;
    const jsm = await nc.jetstreamManager();
    try {
      const sub = nc.subscribe(`bandmaster.${name}.plain`, { max: 1 });
      nc.publish(`bandmaster.${name}.plain`, codec.encode('fire and forget'));
      for await (const msg of sub) assert.equal(codec.decode(msg.data), 'fire and forget');

      await jsm.streams.add({ name: stream, subjects: [`bandmaster.${name}.js.>`], storage: natsLib.StorageType.Memory });
      const ack = await nc.jetstream().publish(`bandmaster.${name}.js.order`, codec.encode('order #1'));
      assert.equal(ack.stream, stream);
      const consumer = await nc.jetstream().consumers.get(stream);
      const msg = await consumer.next({ expires: 5_000 });
      assert.equal(msg && codec.decode(msg.data), 'order #1');
    } finally {
      await jsm.streams.delete(stream).catch(() => undefined);
      await container.stopAll();
    }
  });

  it('closes its connection on stopAll', async (t) => {
    const name = uniqueName();
    const container = new Container({ logger: false });
    container.register(nats({ name, config: { servers: NATS_SERVERS } }));
    await container.startAll();
    const nc = container.resolve<NatsConnection>(name);
    const before = await connectionNames();
    if (before === undefined) t.diagnostic(`no monitoring endpoint at ${NATS_MONITOR}: /connz not checked`);
    else assert.ok(before.includes(name), `${name} is listed by /connz while started`);
    await container.stopAll();
    assert.equal(await nc.closed(), undefined);
    assert.equal(nc.isClosed(), true);
    if (before !== undefined) await pollUntil(async () => !(await connectionNames())?.includes(name), `${name} is gone from /connz after stopAll`);
  });

  it('fails after exactly retries + 1 attempts against an unreachable server, naming host and port but no password', async () => {
    const port = await freePort();
    const name = uniqueName();
    const container = new Container({ logger: false });
    container.register(nats({ name, config: { servers: [`nats://alice:s3cret-pw@127.0.0.1:${port}`], password: 'other-s3cret' }, retries: 2, backoff: 1 }));
    const error = await container.startAll().then(
      () => assert.fail('the boot succeeded'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof BootError);
    const [failure] = error.errors;
    assert.equal(failure?.kind, 'ServiceStartFailure');
    assert.equal(failure.service, name);
    assert.equal(failure.attempts, 3);
    assert.ok(failure.message.includes(`127.0.0.1:${port}`), failure.message);
    for (const secret of ['s3cret-pw', 'other-s3cret']) assert.ok(!error.message.includes(secret), error.message);
    await container.stopAll();
  });

  it('reports every invalid variable by its full name, without secret values', () => {
    const prefix = `NATS_BAD_${randomUUID().slice(0, 6).toUpperCase()}`;
    const bad = {
      SERVERS: 'nats://127.0.0.1:4222,http://alice:hunter2@example.com',
      TIMEOUT: 'soon',
      MAX_RECONNECT_ATTEMPTS: '-5',
      RECONNECT_TIME_WAIT: 'later',
      NKEY_SEED: 'not-a-seed-hunter3',
      TLS: 'maybe',
    };
    for (const [key, value] of Object.entries(bad)) process.env[`${prefix}_${key}`] = value;
    try {
      assert.throws(
        () => nats({ name: 'nts-bad', env: prefix }),
        (e: unknown) => {
          assert.ok(isBandmasterError(e, 'InvalidConfig'));
          assert.deepEqual([...(e.variables ?? [])].sort(), Object.keys(bad).map((k) => `${prefix}_${k}`).sort());
          for (const secret of ['hunter2', 'hunter3']) assert.ok(!e.message.includes(secret), e.message);
          return true;
        },
      );
    } finally {
      for (const key of Object.keys(bad)) delete process.env[`${prefix}_${key}`];
    }
  });

  it('maps its configuration to client options that hold no secret in plain sight', () => {
    const config = Object.assign(new NatsConfig(), { servers: ['nats://alice:s3cret@n1.internal:4222', 'tls://n2.internal', 'n3.internal:4223'], timeout: 1_500 });
    const options = connectionOptions(natsLib, config, 'nts-1');
    assert.deepEqual(options.servers, ['n1.internal:4222', 'n2.internal:4222', 'n3.internal:4223']);
    assert.equal(options.name, 'nts-1');
    assert.equal(options.timeout, 1_500);
    assert.equal(options.waitOnFirstConnect, false);
    assert.deepEqual(options.tls, {});
    const [authenticate] = options.authenticator as natsLib.Authenticator[];
    assert.deepEqual(authenticate!(undefined), { user: 'alice', pass: 's3cret' });
    for (const printed of [JSON.stringify(options), inspect(options), String(config), inspect(config)]) {
      assert.ok(!printed.includes('s3cret'), printed);
    }
    const plain = connectionOptions(natsLib, Object.assign(new NatsConfig(), { tls: false, token: 't0ken' }), 'nts-2');
    assert.equal(plain.tls, null);
    assert.deepEqual((plain.authenticator as natsLib.Authenticator[])[0]!(undefined), { auth_token: 't0ken' });
  });
});
