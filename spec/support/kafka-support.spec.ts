import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { kcatAvailable, startKafkaMockCluster, type KafkaMockCluster } from './kafka-mock-cluster';
import {
  ApiKey,
  ErrorCode,
  KAFKA_TEST_BROKER_CLUSTER_ID,
  KAFKA_TEST_BROKER_NODE_ID,
  startKafkaTestBroker,
  type KafkaTestBroker,
} from './kafka-broker';
import { KafkaReader, KafkaWriter } from './kafka/codec';
import { sendRawRequest } from './kafka/raw-client';

const TOPIC_AUTHORIZATION_FAILED = 29;

function kafka(brokers: string[], overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'kafka-support-spec',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 300,
    requestTimeout: 1_000,
    retry: { retries: 0 },
    ...overrides,
  });
}

/** Polls until `predicate` holds; server-side socket close trails the client's disconnect(). */
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Error names along kafkajs's wrapper chain (KafkaJSNumberOfRetriesExceeded wraps the real cause). */
function errorChain(error: unknown): string[] {
  const names: string[] = [];
  for (let e = error as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    names.push(String(e.name));
  }
  return names;
}

/** Live kcat processes whose parent is this test process (Linux /proc). */
function kcatChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return comm === 'kcat' && ppid === process.pid ? [Number(pid)] : [];
      } catch {
        return []; // the process exited while we were scanning
      }
    });
}

describe('kcat mock cluster', () => {
  let cluster: KafkaMockCluster | undefined;

  before(async () => {
    // no skip: without kcat this fails at once, naming the install command (see run.mjs's preflight)
    assert.ok(kcatAvailable(), 'kcat is not installed: apt-get install kcat (spec/support/services.sh does it)');
    cluster = await startKafkaMockCluster({ brokers: 3 });
  });

  after(async () => {
    await cluster?.close();
  });

  test('describeCluster lists the three mock brokers', async () => {
    const admin = kafka(cluster!.brokers).admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      const addresses = brokers.map(({ host, port }) => `${host}:${port}`).sort();
      assert.deepEqual(addresses, [...cluster!.brokers].sort());
      assert.deepEqual(brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    } finally {
      await admin.disconnect();
    }
  });

  test('a message produced through kafkajs is consumed by a consumer group', { timeout: 20_000 }, async () => {
    const client = kafka(cluster!.brokers, { requestTimeout: 10_000 });
    const topic = `kafka-support-${process.pid}-${Date.now()}`;
    const producer = client.producer();
    // maxWaitTimeInMs bounds the in-flight Fetch that consumer.disconnect() waits for.
    const consumer = client.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 50, heartbeatInterval: 500 });
    try {
      await producer.connect();
      const [sent] = await producer.send({ topic, messages: [{ key: 'k1', value: 'hello mock' }] });
      assert.equal(sent?.errorCode, 0);

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string; partition: number }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message, partition }) =>
            resolve({ key: String(message.key), value: String(message.value), partition }),
        });
      });
      assert.deepEqual(await received, { key: 'k1', value: 'hello mock', partition: sent!.partition });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  test('close() stops kcat and waits for it to exit', async () => {
    const before = kcatChildren();
    const single = await startKafkaMockCluster({ brokers: 1, timeoutMs: 5_000 });
    try {
      assert.equal(single.brokers.length, 1);
      assert.match(single.brokers[0]!, /^127\.0\.0\.1:\d+$/);
      assert.equal(kcatChildren().length, before.length + 1);
    } finally {
      await single.close();
    }
    assert.deepEqual(kcatChildren(), before);
    await single.close(); // idempotent
  });
});

describe('kafka test broker', () => {
  let broker: KafkaTestBroker;

  before(async () => {
    broker = await startKafkaTestBroker();
  });

  afterEach(async () => {
    broker.setFaults(undefined);
    await waitFor('all client connections to close', () => broker.connections === 0);
  });

  after(async () => {
    await broker.close();
  });

  test('kafkajs admin connects and describeCluster returns the test broker', async () => {
    const seen = broker.apiKeys.length;
    const admin = kafka([broker.broker]).admin();
    await admin.connect();
    try {
      assert.deepEqual(broker.apiKeys.slice(seen), [ApiKey.ApiVersions]);
      assert.deepEqual(await admin.describeCluster(), {
        brokers: [{ nodeId: KAFKA_TEST_BROKER_NODE_ID, host: broker.host, port: broker.port }],
        controller: KAFKA_TEST_BROKER_NODE_ID,
        clusterId: KAFKA_TEST_BROKER_CLUSTER_ID,
      });
      assert.ok(broker.apiKeys.slice(seen + 1).includes(ApiKey.Metadata));
      assert.equal(broker.connections, 1); // the advertised address matches, so kafkajs reuses the seed connection
    } finally {
      await admin.disconnect();
    }
  });

  test('kafkajs producers connect, idempotent ones get a producer id', async () => {
    const seen = broker.apiKeys.length;
    const producer = kafka([broker.broker]).producer();
    await producer.connect();
    assert.deepEqual(broker.apiKeys.slice(seen), [ApiKey.ApiVersions]);
    await producer.disconnect();

    // kafkajs refuses idempotence without retries.
    const idempotent = kafka([broker.broker]).producer({ idempotent: true, retry: { retries: 1 } });
    await idempotent.connect();
    try {
      assert.ok(broker.apiKeys.slice(seen + 1).includes(ApiKey.InitProducerId));
    } finally {
      await idempotent.disconnect();
    }
  });

  test('connections drop to 0 after clients disconnect', async () => {
    const client = kafka([broker.broker]);
    const admin = client.admin();
    const producer = client.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    assert.equal(broker.connections, 2);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await waitFor('connections to reach 0', () => broker.connections === 0);
  });

  test('delayMs within the timeout slows responses down', async () => {
    broker.setFaults({ delayMs: 150 });
    const admin = kafka([broker.broker], { connectionTimeout: 1_000 }).admin();
    const started = Date.now();
    await admin.connect();
    try {
      assert.equal((await admin.describeCluster()).brokers.length, 1);
      assert.ok(Date.now() - started >= 300, 'ApiVersions and Metadata should each wait 150 ms');
    } finally {
      await admin.disconnect();
    }
  });

  test('delayMs beyond the timeout makes kafkajs time out', async () => {
    broker.setFaults({ delayMs: 2_000 });
    // kafkajs times ApiVersions out after max(requestTimeout, connectionTimeout), so both must be small.
    const admin = kafka([broker.broker], { connectionTimeout: 200, requestTimeout: 200 }).admin();
    const started = Date.now();
    await assert.rejects(admin.connect(), (error) => {
      assert.deepEqual(errorChain(error), ['KafkaJSNumberOfRetriesExceeded', 'KafkaJSRequestTimeoutError']);
      assert.match((error as Error).message, /ApiVersions.*timed out/);
      return true;
    });
    assert.ok(Date.now() - started < 1_000, 'should fail at the 200 ms timeout, not wait for the delay');
    await admin.disconnect();
  });

  test('dropConnections makes kafkajs report a closed connection', async () => {
    broker.setFaults({ dropConnections: true });
    const seen = broker.apiKeys.length;
    const admin = kafka([broker.broker]).admin();
    await assert.rejects(admin.connect(), (error) => {
      assert.deepEqual(errorChain(error), ['KafkaJSNumberOfRetriesExceeded', 'KafkaJSConnectionClosedError']);
      return true;
    });
    assert.deepEqual(broker.apiKeys.slice(seen), [ApiKey.ApiVersions]);
    await admin.disconnect();

    broker.setFaults(undefined);
    const producer = kafka([broker.broker]).producer();
    await producer.connect();
    await producer.disconnect();
  });

  test('errorCode makes describeCluster fail with that protocol error', async () => {
    broker.setFaults({ errorCode: TOPIC_AUTHORIZATION_FAILED });
    const admin = kafka([broker.broker]).admin();
    await admin.connect(); // ApiVersions only, unaffected
    try {
      await assert.rejects(admin.describeCluster(), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' });
      broker.setFaults(undefined);
      assert.equal((await admin.describeCluster()).clusterId, KAFKA_TEST_BROKER_CLUSTER_ID);
    } finally {
      await admin.disconnect();
    }
  });

  test('speaks flexible ApiVersions v3 and downgrades unsupported versions', async () => {
    // Header v2: api key, version, correlation id, client id, tagged fields; body: two compact strings, tags.
    const v3 = new KafkaWriter().int16(ApiKey.ApiVersions).int16(3).int32(7).nullableString('raw').noTaggedFields();
    v3.uvarint(4).int8(0x72).int8(0x61).int8(0x77).uvarint(2).int8(0x31).noTaggedFields();
    const body = new KafkaReader((await sendRawRequest(broker.host, broker.port, v3.toBuffer()))!);
    assert.equal(body.int16(), ErrorCode.None);
    const apis = Array.from({ length: body.uvarint() - 1 }, () => {
      const api = [body.int16(), body.int16(), body.int16()];
      body.skipTaggedFields();
      return api;
    });
    assert.deepEqual(apis, [
      [ApiKey.Produce, 7, 7],
      [ApiKey.Fetch, 13, 13],
      [ApiKey.ListOffsets, 5, 5],
      [ApiKey.Metadata, 0, 12],
      [ApiKey.OffsetCommit, 8, 8],
      [ApiKey.OffsetFetch, 8, 8],
      [ApiKey.FindCoordinator, 4, 6],
      [ApiKey.JoinGroup, 6, 6],
      [ApiKey.Heartbeat, 4, 4],
      [ApiKey.LeaveGroup, 4, 4],
      [ApiKey.SyncGroup, 4, 4],
      [ApiKey.ApiVersions, 0, 3],
      [ApiKey.InitProducerId, 0, 4],
    ]);

    const v9 = new KafkaWriter().int16(ApiKey.ApiVersions).int16(9).int32(8).nullableString('raw');
    const downgraded = new KafkaReader((await sendRawRequest(broker.host, broker.port, v9.toBuffer()))!);
    assert.equal(downgraded.int16(), ErrorCode.UnsupportedVersion);
    assert.equal(downgraded.nullableArray((r) => [r.int16(), r.int16(), r.int16()])?.length, 13);

    const metadataV13 = new KafkaWriter().int16(ApiKey.Metadata).int16(13).int32(9).nullableString('raw').noTaggedFields().uvarint(1).bool(false).bool(false).noTaggedFields();
    assert.equal(await sendRawRequest(broker.host, broker.port, metadataV13.toBuffer()), null, 'unsupported versions close the connection');
  });
});

test('a process using both helpers exits by itself once they are closed', { timeout: 20_000 }, async () => {
  const script = `
    const { Kafka, logLevel } = require(${JSON.stringify(require.resolve('kafkajs'))});
    const { startKafkaTestBroker } = require(${JSON.stringify(require.resolve('./kafka-broker'))});
    const { startKafkaMockCluster } = require(${JSON.stringify(require.resolve('./kafka-mock-cluster'))});
    (async () => {
      const broker = await startKafkaTestBroker({ faults: { delayMs: 5000 } });
      const admin = new Kafka({ brokers: [broker.broker], logLevel: logLevel.NOTHING, connectionTimeout: 100, requestTimeout: 100, retry: { retries: 0 } }).admin();
      await admin.connect().catch(() => undefined); // leaves a delayed response pending inside the broker
      await admin.disconnect();
      await broker.close();
      await (await startKafkaMockCluster({ brokers: 1 })).close();
      console.log('closed');
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const started = Date.now();
  // A leaked handle would hang the child; kill it so the assertion below reports that.
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), 'closed');
  assert.ok(Date.now() - started < 4_000, 'no handle (such as the 5 s delayed response) may keep the process alive');
});
