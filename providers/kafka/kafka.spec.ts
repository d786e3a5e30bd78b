import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Container, Inject, Service, loadEnv } from '../../lib';
import { checkConformance } from '../../lib/testing';
import { ApiKey, startKafkaTestBroker } from '../../spec/support/kafka-broker';
import { kcatAvailable, startKafkaMockCluster, type KafkaMockCluster } from '../../spec/support/kafka-mock-cluster';
import { eventually, freePort, invalidConfig, tcpSockets, uniqueName, withEnv, withTarget } from '../../spec/support/provider-spec';
import { KafkaConfig, kafka, kafkaClientConfig, type KafkaClients } from '.';

const TEST = { timeout: 20_000 };
// BANDMASTER_TEST_KAFKA_BROKERS (with _SSL, _SASL_* and the other variables of the prefix) runs the suite against a real cluster
const REAL_PREFIX = 'BANDMASTER_TEST_KAFKA';
const REAL_BROKERS = process.env[`${REAL_PREFIX}_BROKERS`];
const NO_KCAT = !REAL_BROKERS && process.env['CI'] !== 'true' && !kcatAvailable() ? 'kcat is not installed (apt-get install kcat); CI=true makes this a failure' : false;
// kafkajs's own logs stay out of the test output; fetches return at once so stop does not wait 5s
const QUIET = { logLevel: 'nothing', maxWaitTime: 50 } as const;

type Options = { env?: string; config: Partial<KafkaConfig> };

/** Where a test's Kafka lives, and how many sockets this process holds to it. */
interface Target {
  readonly options: Options;
  connections(): number;
  close(): Promise<void>;
}

function realTarget(): Target {
  const baseline = tcpSockets();
  return { options: { env: REAL_PREFIX, config: { ...QUIET } }, connections: () => tcpSockets() - baseline, close: async () => undefined };
}

async function testBrokerTarget(): Promise<Target> {
  const broker = await startKafkaTestBroker();
  return { options: { config: { ...QUIET, brokers: [broker.broker] } }, connections: () => broker.connections, close: () => broker.close() };
}

const openTarget = REAL_BROKERS ? async () => realTarget() : testBrokerTarget;

describe('kafka provider', () => {
  describe(`against ${REAL_BROKERS ? `the cluster at ${REAL_BROKERS}` : 'the wire-level test broker'}`, () => {
    it('passes the conformance check and leaves no connection open', TEST, () =>
      withTarget(openTarget, async (target) => {
        await checkConformance(() => kafka({ name: 'kfk-conformance', ...target.options }));
        await eventually(() => target.connections() === 0, 'every connection to close');
      }),
    );

    it('starts with admin and producer connected, answers health checks, and closes every connection on stopAll', TEST, () =>
      withTarget(openTarget, async (target) => {
        const container = new Container({ logger: false });
        container.register(kafka({ name: 'kfk-1', ...target.options }));
        await container.startAll();
        const clients = container.resolve<KafkaClients>('kfk-1');
        assert.equal(clients.consumer, undefined, 'no consumer without a group');
        assert.ok((await clients.admin.describeCluster()).brokers.length > 0);
        assert.equal((await container.health()).healthy, true);
        assert.ok(target.connections() > 0);
        await container.stopAll();
        await eventually(() => target.connections() === 0, 'every connection to close');
        assert.equal(container.status()[0]!.state, 'stopped');
      }),
    );
  });

  describe(`produce and consume against ${REAL_BROKERS ? 'the real cluster' : "librdkafka's mock cluster"}`, { skip: NO_KCAT }, () => {
    let cluster: KafkaMockCluster | undefined;
    let options: Options;
    before(async () => {
      if (REAL_BROKERS) {
        options = realTarget().options;
        return;
      }
      cluster = await startKafkaMockCluster({ brokers: 3 });
      options = { config: { ...QUIET, brokers: cluster.brokers } };
    });
    after(() => cluster?.close());

    it('delivers a message from the injected producer to the injected consumer', TEST, async () => {
      const topic = uniqueName('orders');
      @Service()
      class Orders {
        constructor(@Inject('kfk-1') readonly kafka: KafkaClients) {}
        async place(id: string): Promise<void> {
          await this.kafka.producer.send({ topic, messages: [{ key: id, value: `order ${id}` }] });
        }
        firstOrder(): Promise<string> {
          return new Promise((resolve, reject) => {
            this.kafka.consumer!.run({ eachMessage: async ({ message }) => resolve(String(message.value)) }).catch(reject);
          });
        }
      }
      const container = new Container({ logger: false });
      const config = { ...options.config, groupId: uniqueName('billing'), topics: [topic], fromBeginning: true };
      // a real cluster may create the topic on first use and answer LEADER_NOT_AVAILABLE for a moment
      container.register(kafka({ name: 'kfk-1', ...options, config, retries: 5, backoff: 200 }), Orders);
      await container.startAll();
      try {
        const orders = container.resolve(Orders);
        assert.equal(orders.kafka, container.resolve('kfk-1'));
        const received = orders.firstOrder();
        await orders.place('42');
        assert.equal(await received, 'order 42');
      } finally {
        await container.stopAll();
      }
      assert.equal(container.status()[0]!.state, 'stopped');
    });

    it('passes the conformance check with a consumer subscribed', TEST, () =>
      checkConformance(() => kafka({ name: 'kfk-conformance', ...options, config: { ...options.config, groupId: uniqueName('group'), topics: [uniqueName('topic')] } })),
    );
  });

  describe('start against several seed brokers', () => {
    it('starts when the first seed broker is down, in one attempt', TEST, async () => {
      const broker = await startKafkaTestBroker();
      try {
        const container = new Container({ logger: false });
        container.register(kafka({ name: 'kfk-1', config: { ...QUIET, brokers: [`127.0.0.1:${await freePort()}`, broker.broker] } }));
        await container.startAll();
        assert.equal(container.status()[0]!.attempts, 1);
        await container.stopAll();
        await eventually(() => broker.connections === 0, 'every connection to close');
      } finally {
        await broker.close();
      }
    });
  });

  describe('idempotent producer', () => {
    it('gets its producer id from the broker during start', TEST, async () => {
      const broker = await startKafkaTestBroker();
      try {
        const container = new Container({ logger: false });
        container.register(kafka({ name: 'kfk-1', config: { ...QUIET, brokers: [broker.broker], idempotent: true } }));
        await container.startAll();
        assert.equal(broker.apiKeys.filter((key) => key === ApiKey.InitProducerId).length, 1);
        await container.stopAll();
        await eventually(() => broker.connections === 0, 'every connection to close');
      } finally {
        await broker.close();
      }
    });
  });

  describe('after start', () => {
    it('reports the lost broker in health, and kafkajs reconnects on the next request once it is back', TEST, async () => {
      let broker = await startKafkaTestBroker();
      const { port } = broker;
      const container = new Container({ logger: false });
      container.register(kafka({ name: 'kfk-1', config: { ...QUIET, brokers: [broker.broker] } }));
      try {
        await container.startAll();
        await broker.close();
        const down = (await container.health()).services[0]!;
        assert.equal(down.healthy, false);
        assert.ok(String(down.error).includes(`127.0.0.1:${port}`), String(down.error));
        broker = await startKafkaTestBroker({ port });
        assert.equal((await container.health()).healthy, true);
      } finally {
        await container.stopAll();
        await broker.close();
      }
    });
  });

  describe('configuration', () => {
    it('defaults to a local broker on 127.0.0.1:9092, no consumer, no TLS or SASL', () => {
      const config = new KafkaConfig();
      assert.deepEqual(config.brokers, ['127.0.0.1:9092']);
      const options = kafkaClientConfig(config, 'kfk-1');
      assert.equal(options.clientId, 'kfk-1');
      assert.equal(options.ssl, undefined);
      assert.equal(options.sasl, undefined);
      assert.deepEqual(options.retry, { retries: 0, initialRetryTime: 100, maxRetryTime: 1_000 });
    });

    it('reads every field from <PREFIX>_ variables, without I/O at registration', () => {
      const vars = {
        KFK_SPEC_BROKERS: 'k1:9092, k2:9093,k3:9094',
        KFK_SPEC_CLIENT_ID: 'billing-svc',
        KFK_SPEC_GROUP_ID: 'billing',
        KFK_SPEC_TOPICS: 'orders,refunds',
        KFK_SPEC_FROM_BEGINNING: 'yes',
        KFK_SPEC_SSL: 'true',
        KFK_SPEC_SSL_REJECT_UNAUTHORIZED: 'false',
        KFK_SPEC_SASL_MECHANISM: 'scram-sha-512',
        KFK_SPEC_SASL_USERNAME: 'svc',
        KFK_SPEC_SASL_PASSWORD: 'hunter2',
        KFK_SPEC_CONNECTION_TIMEOUT: '3s',
        KFK_SPEC_REQUEST_TIMEOUT: '1500ms',
        KFK_SPEC_IDEMPOTENT: 'on',
      };
      const definition = withEnv(vars, () => kafka({ name: 'kfk-1', env: 'KFK_SPEC' }));
      const resources = process.getActiveResourcesInfo().length;
      const clients = definition.useFactory() as KafkaClients;
      assert.ok(clients.consumer, 'a consumer with a group');
      assert.equal(process.getActiveResourcesInfo().length, resources, 'building the clients opened nothing');
      const config = withEnv(vars, () => loadEnv(KafkaConfig, 'KFK_SPEC'));
      assert.deepEqual([config.topics, config.fromBeginning, config.idempotent], [['orders', 'refunds'], true, true]);
      const options = kafkaClientConfig(config, 'kfk-1');
      assert.deepEqual(options.brokers, ['k1:9092', 'k2:9093', 'k3:9094']);
      assert.equal(options.clientId, 'billing-svc');
      assert.deepEqual([options.connectionTimeout, options.requestTimeout], [3_000, 1_500]);
      assert.deepEqual(options.ssl, { rejectUnauthorized: false });
      assert.deepEqual(options.sasl, { mechanism: 'scram-sha-512', username: 'svc', password: 'hunter2' });
      assert.equal(options.retry?.retries, 2, 'one pass over the three seed brokers per attempt');
    });

    it('rejects invalid variables with InvalidConfig naming each one, the password masked', () => {
      const vars = {
        KFK_BAD_BROKERS: 'k1,k2:port',
        KFK_BAD_TOPICS: 'orders',
        KFK_BAD_SASL_MECHANISM: 'gssapi',
        KFK_BAD_SASL_PASSWORD: 'hunter2',
        KFK_BAD_REQUEST_TIMEOUT: 'soon',
        KFK_BAD_IDEMPOTENT: 'maybe',
      };
      const error = invalidConfig(() => withEnv(vars, () => kafka({ name: 'kfk-1', env: 'KFK_BAD' })));
      const expected = ['KFK_BAD_BROKERS', 'KFK_BAD_IDEMPOTENT', 'KFK_BAD_REQUEST_TIMEOUT', 'KFK_BAD_SASL_MECHANISM', 'KFK_BAD_SASL_USERNAME', 'KFK_BAD_TOPICS'];
      assert.deepEqual([...(error.variables ?? [])].sort(), expected);
      assert.ok(!error.message.includes('hunter2'), error.message);
    });

    it('rejects an invalid explicit config naming the field', () => {
      const error = invalidConfig(() => kafka({ name: 'kfk-1', config: { brokers: [] } }));
      assert.deepEqual(error.variables, ['config.brokers']);
    });

    it('never shows the SASL password in toString, inspect or JSON of the config and the clients', () => {
      const config = { saslMechanism: 'plain', saslUsername: 'svc', saslPassword: 'hunter2' } as const;
      const resolved = Object.assign(new KafkaConfig(), config);
      const clients = kafka({ name: 'kfk-1', config }).useFactory() as KafkaClients;
      for (const text of [String(resolved), inspect(resolved), JSON.stringify(resolved), String(clients), inspect(clients)]) {
        assert.ok(!text.includes('hunter2'), text);
      }
      assert.ok(String(clients).includes('127.0.0.1:9092'));
    });
  });
});
