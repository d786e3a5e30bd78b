import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection as NatsV3Connection } from '@nats-io/transport-node';
import { BandmasterError, Container, Inject, Service } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { installedVersion } from '../../spec/support/peer-alias';
import { freePort } from '../../spec/support/provider-spec';
import { installedNatsClient, nats } from '.';

/** The servers under test: the local one (with JetStream) unless `BANDMASTER_TEST_NATS_SERVERS` points elsewhere. */
const NATS_SERVERS = (process.env['BANDMASTER_TEST_NATS_SERVERS'] ?? 'nats://127.0.0.1:4222').split(',').map((s) => s.trim()).filter((s) => s !== '');
const V3 = '@nats-io/transport-node' as const;

const unique = (label: string): string => `${label}_${randomUUID().slice(0, 8)}`;

describe(`nats provider on nats.js v3 (@nats-io/transport-node ${installedVersion(V3)}) against the real server`, () => {
  it('passes the conformance check', async () => {
    await checkConformance(() => nats({ name: unique('nts'), client: V3, config: { servers: NATS_SERVERS } }));
  });

  it('injects a v3 connection that publishes to and consumes from a JetStream stream, and drains on stopAll', async () => {
    const stream = unique('BANDMASTER');
    const subject = `${stream}.orders`;
    @Service()
    class Orders {
      constructor(@Inject('nts-1') readonly nc: NatsV3Connection) {}
    }
    const container = new Container({ logger: false });
    container.register(nats({ name: 'nts-1', client: V3, config: { servers: NATS_SERVERS } }), Orders);
    await container.startAll();
    const nc = container.resolve(Orders).nc;
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      const ack = await jetstream(nc).publish(subject, 'order 42');
      assert.equal(ack.stream, stream);
      await jsm.consumers.add(stream, { durable_name: 'billing', ack_policy: 'explicit' });
      const message = await (await jetstream(nc).consumers.get(stream, 'billing')).next({ expires: 5_000 });
      assert.equal(message?.string(), 'order 42');
      message?.ack();
      assert.equal((await container.health()).healthy, true);
    } finally {
      await jsm.streams.delete(stream).catch(() => undefined);
      await container.stopAll();
    }
    assert.equal(nc.isClosed(), true);
  });

  it('fails a start against a closed port naming the address', async () => {
    const port = await freePort();
    const container = new Container({ logger: false });
    container.register(nats({ name: 'nts-1', client: V3, config: { servers: [`nats://127.0.0.1:${port}`] } }));
    const error = await container.startAll().then(
      () => assert.fail('expected the start to fail'),
      (e: AggregateError) => e.errors[0] as BandmasterError,
    );
    assert.ok(String((error.cause as Error).message).includes(`127.0.0.1:${port} is unreachable`), String(error.cause));
  });
});

describe('nats provider client choice', () => {
  it('uses nats (v2) when it is installed, else @nats-io/transport-node (v3)', () => {
    const only = (installed: string[]) => (pkg: string): string => {
      if (!installed.includes(pkg)) throw Object.assign(new Error(`Cannot find module '${pkg}'`), { code: 'MODULE_NOT_FOUND' });
      return pkg;
    };
    assert.equal(installedNatsClient(only(['nats', V3])), 'nats');
    assert.equal(installedNatsClient(only([V3])), V3);
    assert.equal(installedNatsClient(only([])), 'nats');
  });

  it('rejects an unknown client with InvalidArgument naming the choices', () => {
    assert.throws(
      () => nats({ name: 'nts-1', client: 'nats3' as typeof V3 }),
      (e: unknown) => e instanceof BandmasterError && e.kind === 'InvalidArgument' && e.message.includes('@nats-io/transport-node'),
    );
  });
});
