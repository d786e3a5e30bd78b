import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Container, Inject, Service, loadEnv } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { ApiKey, startKafkaTestBroker } from '../../spec/support/kafka-broker';
import { aliasPeer, installedVersion, nodeAtLeast } from '../../spec/support/peer-alias';
import { eventually, freePort, invalidConfig, withEnv, withTarget } from '../../spec/support/provider-spec';
import { PlatformaticKafkaConfig, platformaticKafka, platformaticKafkaOptions, type PlatformaticKafkaClients } from '.';

const TEST = { timeout: 20_000 };
const FAST = { maxWaitTime: 50, requestTimeout: 2_000 } as const;

// BANDMASTER_PLATFORMATIC_KAFKA_MAJOR=2 runs this file on the 2.x line (an npm alias), which needs
// Node >= 22.22 or 24.6; the default is the 1.x line, which loads on Node >= 20.19
const MAJOR = process.env['BANDMASTER_PLATFORMATIC_KAFKA_MAJOR'] ?? (nodeAtLeast(22, 22) ? '2' : '1');
const VERSION = MAJOR === '2' ? aliasPeer('@platformatic/kafka', 'platformatic-kafka2') : installedVersion('@platformatic/kafka');
if (MAJOR !== '2') console.log(`# @platformatic/kafka ${VERSION}: its 2.x line is tested on Node >= 22.22 only, this is Node ${process.versions.node}`);

const openBroker = (): ReturnType<typeof startKafkaTestBroker> => startKafkaTestBroker();

describe(`kafka-platformatic provider (@platformatic/kafka ${VERSION}) against the wire-level test broker`, () => {
  it('passes the conformance check and leaves no connection open', TEST, () =>
    withTarget(openBroker, async (broker) => {
      await checkConformance(() => platformaticKafka({ name: 'kfk-conformance', config: { ...FAST, brokers: [broker.broker] } }));
      await eventually(() => broker.connections === 0, 'every connection to close');
    }),
  );

  it('passes the conformance check with a consumer group and an idempotent producer', TEST, () =>
    withTarget(openBroker, async (broker) => {
      await checkConformance(() => platformaticKafka({ name: 'kfk-conformance', config: { ...FAST, brokers: [broker.broker], groupId: 'billing', idempotent: true } }));
      await eventually(() => broker.connections === 0, 'every connection to close');
    }),
  );

  it('injects admin and producer after a metadata round trip, answers health checks, and closes every connection on stopAll', TEST, () =>
    withTarget(openBroker, async (broker) => {
      @Service()
      class Orders {
        constructor(@Inject('kfk-1') readonly kafka: PlatformaticKafkaClients) {}
      }
      const container = new Container({ logger: false });
      container.register(platformaticKafka({ name: 'kfk-1', config: { ...FAST, brokers: [broker.broker] } }), Orders);
      await container.startAll();
      const clients = container.resolve<PlatformaticKafkaClients>('kfk-1');
      assert.equal(container.resolve(Orders).kafka, clients);
      assert.equal(clients.consumer, undefined, 'no consumer without a group');
      assert.ok(broker.apiKeys.includes(ApiKey.Metadata));
      assert.equal((await clients.admin.metadata({ topics: [] })).id, 'bandmaster-kafka-test-broker');
      assert.equal((await container.health()).healthy, true);
      assert.ok(broker.connections > 0);
      await container.stopAll();
      await eventually(() => broker.connections === 0, 'every connection to close');
      assert.equal(container.status()[0]!.state, 'stopped');
    }),
  );

  it('gets the producer id of an idempotent producer and finds the group coordinator during start', TEST, () =>
    withTarget(openBroker, async (broker) => {
      const container = new Container({ logger: false });
      container.register(platformaticKafka({ name: 'kfk-1', config: { ...FAST, brokers: [broker.broker], idempotent: true, groupId: 'billing' } }));
      await container.startAll();
      try {
        const clients = container.resolve<PlatformaticKafkaClients>('kfk-1');
        assert.equal(clients.producer.producerId, 1000n);
        assert.ok(clients.consumer, 'a consumer with a group');
        assert.deepEqual(
          [ApiKey.InitProducerId, ApiKey.FindCoordinator].map((key) => broker.apiKeys.filter((k) => k === key).length),
          [1, 1],
        );
      } finally {
        await container.stopAll();
      }
    }),
  );

  it('produces through the injected producer, consumes through the consumer group, and a restart resumes after the committed offset', TEST, () =>
    withTarget(() => startKafkaTestBroker({ topics: ['orders'] }), async (broker) => {
      const config = { ...FAST, brokers: [broker.broker], groupId: 'billing' };
      const first = new Container({ logger: false });
      first.register(platformaticKafka({ name: 'kfk-1', config }));
      await first.startAll();
      try {
        const { producer, consumer } = first.resolve<PlatformaticKafkaClients>('kfk-1');
        await producer.send({ messages: [{ topic: 'orders', key: Buffer.from('o-1'), value: Buffer.from('first order') }] });
        const message = await firstMessage(consumer!, { topics: ['orders'], mode: 'committed', fallbackMode: 'earliest' });
        assert.deepEqual([String(message.key), String(message.value), message.offset], ['o-1', 'first order', 0n]);
        await message.commit();
        assert.ok(consumer!.memberId, 'joined the group');
      } finally {
        await first.stopAll();
      }
      assert.ok(broker.apiKeys.includes(ApiKey.LeaveGroup), 'the consumer left its group on stopAll');
      await eventually(() => broker.connections === 0, 'every connection to close');

      const second = new Container({ logger: false });
      second.register(platformaticKafka({ name: 'kfk-1', config }));
      await second.startAll();
      try {
        const { producer, consumer } = second.resolve<PlatformaticKafkaClients>('kfk-1');
        await producer.send({ messages: [{ topic: 'orders', value: Buffer.from('second order') }] });
        const message = await firstMessage(consumer!, { topics: ['orders'], mode: 'committed', fallbackMode: 'earliest' });
        assert.deepEqual([String(message.value), message.offset], ['second order', 1n], 'the group resumed after the committed offset');
      } finally {
        await second.stopAll();
      }
      const groupApis = [ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.OffsetFetch, ApiKey.Fetch, ApiKey.OffsetCommit];
      assert.deepEqual(groupApis.filter((key) => !broker.apiKeys.includes(key)), [], 'the group protocol was used');
      await eventually(() => broker.connections === 0, 'every connection to close');
    }),
  );

  it('starts when the first seed broker is down, in one attempt', TEST, () =>
    withTarget(openBroker, async (broker) => {
      const container = new Container({ logger: false });
      container.register(platformaticKafka({ name: 'kfk-1', config: { ...FAST, brokers: [`127.0.0.1:${await freePort()}`, broker.broker] } }));
      await container.startAll();
      assert.equal(container.status()[0]!.attempts, 1);
      await container.stopAll();
      await eventually(() => broker.connections === 0, 'every connection to close');
    }),
  );

  it('fails a start against a dead broker naming the address, and reports a lost broker in health', TEST, async () => {
    const port = await freePort();
    const dead = new Container({ logger: false });
    dead.register(platformaticKafka({ name: 'kfk-dead', config: { ...FAST, brokers: [`127.0.0.1:${port}`] } }));
    const error = await dead.startAll().then(
      () => assert.fail('expected the start to fail'),
      (e: AggregateError) => e.errors[0] as Error,
    );
    assert.ok(describeChain(error).includes(`127.0.0.1:${port} is unreachable`), describeChain(error));

    const broker = await startKafkaTestBroker();
    const container = new Container({ logger: false });
    container.register(platformaticKafka({ name: 'kfk-1', config: { ...FAST, brokers: [broker.broker] } }));
    try {
      await container.startAll();
      await broker.close();
      const down = (await container.health()).services[0]!;
      assert.equal(down.healthy, false);
      assert.ok(String(down.error).includes(broker.broker), String(down.error));
    } finally {
      await container.stopAll();
      await broker.close();
    }
  });
});

describe('kafka-platformatic provider configuration', () => {
  it('reads the kafkajs provider variables and maps them to @platformatic/kafka options, without I/O at registration', () => {
    const vars = {
      KFK_PLT_BROKERS: 'k1:9092,k2:9093',
      KFK_PLT_CLIENT_ID: 'billing-svc',
      KFK_PLT_GROUP_ID: 'billing',
      KFK_PLT_SSL: 'true',
      KFK_PLT_SSL_REJECT_UNAUTHORIZED: 'false',
      KFK_PLT_SASL_MECHANISM: 'scram-sha-512',
      KFK_PLT_SASL_USERNAME: 'svc',
      KFK_PLT_SASL_PASSWORD: 'hunter2',
      KFK_PLT_CONNECTION_TIMEOUT: '3s',
      KFK_PLT_REQUEST_TIMEOUT: '1500ms',
    };
    const definition = withEnv(vars, () => platformaticKafka({ name: 'kfk-1', env: 'KFK_PLT' }));
    const resources = process.getActiveResourcesInfo().length;
    const clients = definition.useFactory() as PlatformaticKafkaClients;
    assert.ok(clients.consumer, 'a consumer with a group');
    assert.equal(process.getActiveResourcesInfo().length, resources, 'building the clients opened nothing');
    const options = platformaticKafkaOptions(withEnv(vars, () => loadEnv(PlatformaticKafkaConfig, 'KFK_PLT')), 'kfk-1');
    assert.deepEqual(options.bootstrapBrokers, ['k1:9092', 'k2:9093']);
    assert.equal(options.clientId, 'billing-svc');
    assert.deepEqual([options.connectTimeout, options.timeout], [3_000, 1_500]);
    assert.deepEqual(options.tls, { rejectUnauthorized: false });
    assert.deepEqual(options.sasl, { mechanism: 'SCRAM-SHA-512', username: 'svc', password: 'hunter2' });
  });

  it('rejects invalid variables with InvalidConfig naming each one, the password masked', () => {
    const vars = { KFK_PLTBAD_BROKERS: 'k1', KFK_PLTBAD_SASL_MECHANISM: 'gssapi', KFK_PLTBAD_SASL_PASSWORD: 'hunter2' };
    const error = invalidConfig(() => withEnv(vars, () => platformaticKafka({ name: 'kfk-1', env: 'KFK_PLTBAD' })));
    assert.deepEqual([...(error.variables ?? [])].sort(), ['KFK_PLTBAD_BROKERS', 'KFK_PLTBAD_SASL_MECHANISM', 'KFK_PLTBAD_SASL_USERNAME']);
    assert.ok(!error.message.includes('hunter2'), error.message);
  });

  it('never shows the SASL password when the clients are printed', () => {
    const clients = platformaticKafka({ name: 'kfk-1', config: { saslMechanism: 'plain', saslUsername: 'svc', saslPassword: 'hunter2' } }).useFactory() as PlatformaticKafkaClients;
    for (const text of [String(clients), inspect(clients), JSON.stringify(clients)]) assert.ok(!text.includes('hunter2'), text);
    assert.ok(String(clients).includes('127.0.0.1:9092'));
  });
});

type GroupConsumer = NonNullable<PlatformaticKafkaClients['consumer']>;

/** Joins the group through `consume()` and resolves with the first message; the stream is closed after it. */
async function firstMessage(consumer: GroupConsumer, options: Parameters<GroupConsumer['consume']>[0]) {
  const stream = await consumer.consume(options);
  try {
    for await (const message of stream) return message;
    throw new Error('the stream ended without a message');
  } finally {
    await stream.close();
  }
}

function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message);
  return parts.join(' <- ');
}
