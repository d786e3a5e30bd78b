import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container, ShutdownError, setGlobalLogger, type Logger } from '../../lib';
import { ApiKey, startKafkaTestBroker, type KafkaTestBroker } from '../../spec/support/kafka-broker';
import { bootError, eventually, freePort, withTarget } from '../../spec/support/provider-spec';
import { kafka, type KafkaClients, type KafkaConfig } from '.';

const TEST = { timeout: 20_000 };
const QUIET = { logLevel: 'nothing' } as const;
/** Kafka's CLUSTER_AUTHORIZATION_FAILED: not retriable, so one Metadata answer ends the attempt. */
const CLUSTER_AUTHORIZATION_FAILED = 31;

function withBroker(body: (broker: KafkaTestBroker) => Promise<void>): Promise<void> {
  return withTarget(() => startKafkaTestBroker(), body);
}

/** Starts one kafka service against `config` and returns why it failed. */
function failedStart(config: Partial<KafkaConfig>, lifecycle: { retries?: number; startTimeout?: number; signal?: AbortSignal } = {}, logger: Logger | false = false): Promise<BandmasterError> {
  const { signal, ...options } = lifecycle;
  const container = new Container({ logger });
  container.register(kafka({ name: 'kfk-1', config: { ...QUIET, ...config }, backoff: 10, ...options }));
  return bootError(container.startAll(signal ? { signal } : {}));
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 6; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

function countOf(broker: KafkaTestBroker, apiKey: number): number {
  return broker.apiKeys.filter((key) => key === apiKey).length;
}

describe('kafka provider faults', () => {
  describe('start against an unreachable broker', () => {
    it('fails after exactly retries + 1 attempts, naming host and port', TEST, async () => {
      const port = await freePort();
      const error = await failedStart({ brokers: [`127.0.0.1:${port}`] }, { retries: 2 });
      assert.equal(error.kind, 'ServiceStartFailure');
      assert.equal(error.service, 'kfk-1');
      assert.equal(error.attempts, 3);
      assert.ok(error.message.includes(`127.0.0.1:${port}`), error.message);
      assert.ok(causeChain(error).some((e) => (e as { code?: unknown }).code === 'ECONNREFUSED'));
    });

    it('makes one connection per attempt when the broker drops every connection', TEST, () =>
      withBroker(async (broker) => {
        broker.setFaults({ dropConnections: true });
        const error = await failedStart({ brokers: [broker.broker] }, { retries: 1 });
        assert.equal(error.attempts, 2);
        assert.ok(error.message.includes(broker.broker), error.message);
        assert.equal(countOf(broker, ApiKey.ApiVersions), 2, 'kafkajs did not retry on its own');
        await eventually(() => broker.connections === 0, 'every connection to close');
      }),
    );
  });

  describe('start against a misbehaving broker', () => {
    it('fails the attempt at startTimeout when the broker is slow, closing its connection', TEST, () =>
      withBroker(async (broker) => {
        broker.setFaults({ delayMs: 10_000 });
        const error = await failedStart({ brokers: [broker.broker] }, { startTimeout: 200 });
        assert.equal(error.kind, 'ServiceStartFailure');
        assert.equal(error.attempts, 1);
        assert.ok(causeChain(error).some((e) => (e as Error).name === 'TimeoutError'));
        await eventually(() => broker.connections === 0, 'the slow connection to close');
      }),
    );

    it('fails with the Metadata error when describeCluster gets one, closing every connection', TEST, () =>
      withBroker(async (broker) => {
        broker.setFaults({ errorCode: CLUSTER_AUTHORIZATION_FAILED });
        const error = await failedStart({ brokers: [broker.broker] });
        assert.equal(error.attempts, 1);
        assert.ok(causeChain(error).some((e) => (e as { type?: unknown }).type === 'CLUSTER_AUTHORIZATION_FAILED'));
        assert.equal(countOf(broker, ApiKey.InitProducerId), 0);
        await eventually(() => broker.connections === 0, 'every connection to close');
      }),
    );

    it('speaks TLS when asked, failing against a plaintext broker with an error naming it', TEST, () =>
      withBroker(async (broker) => {
        const error = await failedStart({ brokers: [broker.broker], ssl: true, connectionTimeout: 200 });
        assert.equal(error.attempts, 1);
        assert.ok(error.message.includes(broker.broker), error.message);
        assert.equal(countOf(broker, ApiKey.ApiVersions), 0, 'no Kafka request went out in clear');
        await eventually(() => broker.connections === 0, 'every connection to close');
      }),
    );

    it('fails a SASL handshake the broker does not speak without the password in the error', TEST, () =>
      withBroker(async (broker) => {
        const error = await failedStart({ brokers: [broker.broker], saslMechanism: 'plain', saslUsername: 'svc', saslPassword: 'hunter2' });
        assert.equal(error.kind, 'ServiceStartFailure');
        assert.ok(error.message.includes(broker.broker), error.message);
        for (const e of causeChain(error)) assert.ok(!String((e as Error).message).includes('hunter2'));
        await eventually(() => broker.connections === 0, 'every connection to close');
      }),
    );
  });

  describe('cancellation', () => {
    it('closes the connection in flight when the boot is aborted during connect, and opens no other', TEST, () =>
      withBroker(async (broker) => {
        broker.setFaults({ delayMs: 10_000 });
        const controller = new AbortController();
        const failed = failedStart({ brokers: [broker.broker] }, { signal: controller.signal });
        await eventually(() => broker.connections === 1, 'the connect to reach the broker');
        const reason = new Error('operator cancelled the boot');
        controller.abort(reason);
        const error = await failed;
        assert.equal(error.kind, 'ServiceStartFailure');
        assert.ok(causeChain(error).includes(reason));
        await eventually(() => broker.connections === 0, 'the connection in flight to close');
        assert.equal(broker.apiKeys.length, 1, 'only the first ApiVersions reached the broker');
      }),
    );

    it('closes every connection when a stop times out waiting for a request in flight', TEST, () =>
      withBroker(async (broker) => {
        const container = new Container({ logger: false });
        container.register(kafka({ name: 'kfk-1', config: { ...QUIET, brokers: [broker.broker] }, stopTimeout: 200 }));
        const clients = await container.start<KafkaClients>('kfk-1');
        broker.setFaults({ delayMs: 10_000 });
        const sent = broker.apiKeys.length;
        // kafkajs's disconnect waits for this answer, which the broker holds back
        const inFlight = clients.admin.describeCluster().then(() => undefined, (e: unknown) => e);
        await eventually(() => broker.apiKeys.length > sent, 'the request to reach the broker');
        const error = await container.stopAll().then(() => assert.fail('expected the stop to fail'), (e: unknown) => e);
        assert.ok(error instanceof ShutdownError, String(error));
        assert.equal(error.errors[0]!.kind, 'ServiceStopFailure');
        await eventually(() => broker.connections === 0, 'every connection to close');
        assert.ok((await inFlight) instanceof Error, 'the request in flight failed');
        await container.stopAll();
        assert.equal(container.status()[0]!.state, 'stopped');
      }),
    );
  });

  describe('logs', () => {
    it("forwards kafkajs's errors of a failed attempt at debug level, with the service name", TEST, async () => {
      const all: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
      const record = (level: string) => (message: string, fields: Record<string, unknown> = {}) => all.push({ level, message, fields });
      const capture: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
      await failedStart({ brokers: [`127.0.0.1:${await freePort()}`], logLevel: 'error' }, {}, capture);
      const entries = all.filter((e) => e.message.startsWith('kafkajs:'));
      assert.ok(entries.length > 0, 'kafkajs logged the refused connection');
      for (const entry of entries) {
        assert.equal(entry.level, 'debug');
        assert.equal(entry.fields['service'], 'kfk-1');
      }
    });

    it('writes nothing to the global logger when its container has its own logger, or none', TEST, async () => {
      const global: string[] = [];
      const capture: Logger = { error: (m) => global.push(m), warn: (m) => global.push(m), info: (m) => global.push(m), debug: (m) => global.push(m) };
      const previous = setGlobalLogger(capture);
      try {
        await failedStart({ brokers: [`127.0.0.1:${await freePort()}`], logLevel: 'error' });
      } finally {
        setGlobalLogger(previous);
      }
      assert.deepEqual(global, []);
    });
  });
});
