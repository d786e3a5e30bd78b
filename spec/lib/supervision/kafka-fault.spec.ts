import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaJSError, KafkaJSNonRetriableError } from 'kafkajs';
import { Container, type LifecycleEvent } from '../../../lib';
import { kafka, type KafkaClients } from '../../../providers/kafka';
import { TcpProxy, freePort } from '../../faults/support/servers';
import { kcatAvailable, startKafkaMockCluster, type KafkaMockCluster } from '../../support/kafka-mock-cluster';
import { nextEvent } from './next-event';

const NO_KCAT = process.env['CI'] !== 'true' && !kcatAvailable() ? 'kcat is not installed (apt-get install kcat); CI=true makes this a failure' : false;
// kafkajs's own logs stay out of the output; fetches return at once so a stop does not wait
const QUIET = { logLevel: 'nothing', maxWaitTime: 50 } as const;
const RESTART = { retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } } as const;

/** A mock cluster of one broker, reached through a proxy on a port that stays the same when the cluster is replaced. */
class KafkaBehindProxy {
  #cluster: KafkaMockCluster | undefined;
  #proxy: TcpProxy | undefined;

  private constructor(readonly port: number) {}

  static async open(): Promise<KafkaBehindProxy> {
    const kafka = new KafkaBehindProxy(await freePort());
    await kafka.up();
    return kafka;
  }

  get broker(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** A fresh mock cluster (its brokers on new ports), bootstrapped through the same proxy port. */
  async up(): Promise<void> {
    const cluster = await startKafkaMockCluster({ brokers: 1 });
    this.#cluster = cluster;
    this.#proxy = new TcpProxy(this.port, Number(cluster.brokers[0]!.split(':')[1]));
    await this.#proxy.restore();
  }

  /** Ends the kcat process (every broker connection drops) and closes the proxy port. */
  async down(): Promise<void> {
    await this.#cluster?.close();
    await this.#proxy?.cut();
    this.#cluster = undefined;
    this.#proxy = undefined;
  }
}

function record(container: Container): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  container.events.on((e) => void seen.push(e));
  return seen;
}

describe('supervision of the kafka provider (kafkajs) against the kcat mock cluster', { skip: NO_KCAT }, () => {
  it('marks the service lost when its cluster goes away, and restarts it with fresh clients once the cluster is back', { timeout: 60_000 }, async () => {
    const cluster = await KafkaBehindProxy.open();
    const container = new Container({ logger: false, healthInterval: 100, healthFailures: 2, healthTimeout: 500 });
    container.register(
      kafka({ name: 'kfk-sup', config: { ...QUIET, brokers: [cluster.broker], connectTimeout: 1_000 }, ...RESTART }),
      { name: 'orders', deps: ['kfk-sup'], useFactory: (clients: KafkaClients) => ({ clients }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<KafkaClients>('kfk-sup');
      const lost = nextEvent(container, 'lost', 'kfk-sup', 15_000);
      const restarted = nextEvent(container, 'restarted', 'kfk-sup', 30_000);
      await cluster.down();
      await lost;
      await cluster.up();
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<KafkaClients>('kfk-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ clients: KafkaClients }>('orders').clients, fresh);
      assert.ok((await fresh.admin.describeCluster()).brokers.length > 0);
      assert.equal(container.status().find((s) => s.name === 'kfk-sup')?.restarts, 1);
      process.stdout.write(`# kafka restarted ${Math.round(ms)} ms after its cluster came back\n`);
    } finally {
      await container.stopAll({ timeout: 10_000 }).catch(() => undefined);
      await cluster.down();
    }
  });

  it('marks the service lost when the application disconnects its producer, and not when the container stops it', { timeout: 30_000 }, async () => {
    const cluster = await startKafkaMockCluster({ brokers: 1 });
    const container = new Container({ logger: false });
    container.register(kafka({ name: 'kfk-sup', config: { ...QUIET, brokers: cluster.brokers }, ...RESTART }));
    const seen = record(container);
    try {
      await container.startAll();
      const first = container.resolve<KafkaClients>('kfk-sup');
      const lost = nextEvent(container, 'lost', 'kfk-sup');
      const restarted = nextEvent(container, 'restarted', 'kfk-sup');
      await first.producer.disconnect();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /producer .* disconnected by the application/);
      await restarted;
      const fresh = container.resolve<KafkaClients>('kfk-sup');
      assert.notEqual(fresh, first);
      await fresh.producer.send({ topic: 'orders', messages: [{ value: 'after the restart' }] });
      await container.stopAll({ timeout: 10_000 });
      assert.equal(seen.filter((e) => e.type === 'lost').length, 1, 'the container stopping its own clients is no loss');
    } finally {
      await container.stopAll({ timeout: 10_000 }).catch(() => undefined);
      await cluster.close();
    }
  });

  it('marks the service lost when its consumer crashes with an error kafkajs does not restart from', { timeout: 40_000 }, async () => {
    const cluster = await startKafkaMockCluster({ brokers: 1 });
    const container = new Container({ logger: false });
    const topic = `crash-${process.pid}-${Date.now()}`;
    container.register(kafka({ name: 'kfk-sup', config: { ...QUIET, brokers: cluster.brokers, groupId: `g-${topic}`, topics: [topic], fromBeginning: true } }));
    try {
      await container.startAll();
      const clients = container.resolve<KafkaClients>('kfk-sup');
      const lost = nextEvent(container, 'lost', 'kfk-sup', 30_000);
      await clients.producer.send({ topic, messages: [{ value: 'poison' }] });
      await clients.consumer!.run({
        eachMessage: () => {
          throw new KafkaJSNonRetriableError('poison message');
        },
      });
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /consumer .* crashed and kafkajs does not restart it: .*poison message/);
      assert.equal(container.status()[0]?.state, 'started', 'without restart, a lost service is only reported');
    } finally {
      await container.stopAll({ timeout: 10_000 }).catch(() => undefined);
      await cluster.close();
    }
  });

  it('does not mark the service lost when its consumer crashes with a retriable error kafkajs restarts from', { timeout: 60_000 }, async () => {
    const cluster = await startKafkaMockCluster({ brokers: 1 });
    const container = new Container({ logger: false });
    const topic = `retry-${process.pid}-${Date.now()}`;
    container.register(kafka({ name: 'kfk-sup', config: { ...QUIET, brokers: cluster.brokers, groupId: `g-${topic}`, topics: [topic], fromBeginning: true } }));
    const seen = record(container);
    try {
      await container.startAll();
      const clients = container.resolve<KafkaClients>('kfk-sup');
      const consumer = clients.consumer!;
      const crashed = new Promise<boolean>((resolve) => consumer.on(consumer.events.CRASH, ({ payload }) => resolve(payload.restart)));
      await clients.producer.send({ topic, messages: [{ value: 'flaky' }] });
      await consumer.run({
        eachMessage: () => {
          throw new KafkaJSError('flaky handler', { retriable: true });
        },
      });
      assert.equal(await crashed, true, 'kafkajs restarts the consumer after this crash');
      // the consumer DISCONNECT kafkajs made before that CRASH would be reported a turn later
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(seen.filter((e) => e.type === 'lost').length, 0);
    } finally {
      await container.stopAll({ timeout: 10_000 }).catch(() => undefined);
      await cluster.close();
    }
  });
});
