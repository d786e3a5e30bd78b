import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, type LifecycleEvent } from '../../../lib';
import { platformaticKafka, type PlatformaticKafkaClients } from '../../../providers/kafka-platformatic';
import { freePort } from '../../faults/support/servers';
import { startKafkaTestBroker, type KafkaTestBroker } from '../../support/kafka-broker';
import { nextEvent } from './next-event';

const FAST = { maxWaitTime: 50, requestTimeout: 500, connectionTimeout: 500 } as const;
const RESTART = { retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } } as const;

function record(container: Container): LifecycleEvent[] {
  const seen: LifecycleEvent[] = [];
  container.events.on((e) => void seen.push(e));
  return seen;
}

describe('supervision of the kafka-platformatic provider against the wire-level test broker', () => {
  it('marks the service lost when its broker goes away, and restarts it with fresh clients once the broker is back', { timeout: 40_000 }, async () => {
    const port = await freePort();
    let broker: KafkaTestBroker = await startKafkaTestBroker({ port });
    const container = new Container({ logger: false, healthInterval: 100, healthFailures: 2, healthTimeout: 500 });
    container.register(
      platformaticKafka({ name: 'pkf-sup', config: { ...FAST, brokers: [broker.broker] }, ...RESTART }),
      { name: 'orders', deps: ['pkf-sup'], useFactory: (clients: PlatformaticKafkaClients) => ({ clients }) },
    );
    try {
      await container.startAll();
      const first = container.resolve<PlatformaticKafkaClients>('pkf-sup');
      const lost = nextEvent(container, 'lost', 'pkf-sup', 15_000);
      const restarted = nextEvent(container, 'restarted', 'pkf-sup', 30_000);
      await broker.close();
      await lost;
      broker = await startKafkaTestBroker({ port });
      const back = performance.now();
      await restarted;
      const ms = performance.now() - back;
      const fresh = container.resolve<PlatformaticKafkaClients>('pkf-sup');
      assert.notEqual(fresh, first);
      assert.equal(container.resolve<{ clients: PlatformaticKafkaClients }>('orders').clients, fresh);
      assert.equal((await fresh.admin.metadata({ topics: [] })).id, 'bandmaster-kafka-test-broker');
      assert.equal(container.status().find((s) => s.name === 'pkf-sup')?.restarts, 1);
      process.stdout.write(`# kafka-platformatic restarted ${Math.round(ms)} ms after its broker came back\n`);
    } finally {
      await container.stopAll({ timeout: 10_000 }).catch(() => undefined);
      await broker.close();
    }
  });

  it('marks the service lost when the application closes its producer, and not when the container stops it', { timeout: 30_000 }, async () => {
    const broker = await startKafkaTestBroker();
    const container = new Container({ logger: false });
    container.register(platformaticKafka({ name: 'pkf-sup', config: { ...FAST, brokers: [broker.broker], groupId: 'billing' }, ...RESTART }));
    const seen = record(container);
    try {
      await container.startAll();
      const first = container.resolve<PlatformaticKafkaClients>('pkf-sup');
      const lost = nextEvent(container, 'lost', 'pkf-sup');
      const restarted = nextEvent(container, 'restarted', 'pkf-sup');
      await first.producer.close();
      const event = await lost;
      assert.match(String((event as { error?: Error }).error?.message), /producer .* closed by the application/);
      await restarted;
      const fresh = container.resolve<PlatformaticKafkaClients>('pkf-sup');
      assert.notEqual(fresh, first);
      assert.equal(fresh.producer.closed, false);
      await container.stopAll({ timeout: 10_000 });
      assert.equal(seen.filter((e) => e.type === 'lost').length, 1, 'the container closing its own clients is no loss');
    } finally {
      await container.stopAll({ timeout: 10_000 }).catch(() => undefined);
      await broker.close();
    }
  });
});
