// Boots all seven providers side by side, each configured from its environment variables, and
// an application service that uses them. With the servers of compose.yaml up
// (`docker compose up -d --wait`) every provider starts; without some of them, those fail
// visibly (each is optional here) and the program still reports and shuts down cleanly.
//   npm run build && node dist/samples/all-providers.js
// DEMO_SUCCESSORS=1 also boots the clients teams pick in 2026: Kafka on @platformatic/kafka
// (KAFKA_PLT_EXAMPLE_*), Redis on node-redis (NRD_EXAMPLE_*) and NATS on nats.js v3 (NATS_EXAMPLE_*).
import 'reflect-metadata';
import { BootError, Container, Inject, Optional, Service, type LifecycleReport, type OnStart } from 'bandmaster';
import { cassandra, type CassandraClient } from 'bandmaster/providers/cassandra';
import { elasticsearch, type ElasticsearchClient } from 'bandmaster/providers/elasticsearch';
import { kafka, type KafkaClients } from 'bandmaster/providers/kafka';
import { platformaticKafka, type PlatformaticKafkaClients } from 'bandmaster/providers/kafka-platformatic';
import { memcached, type MemcachedClient } from 'bandmaster/providers/memcached';
import { nats, type NatsConnection } from 'bandmaster/providers/nats';
import { nodeRedis, type NodeRedisClient } from 'bandmaster/providers/node-redis';
import { redis, type RedisClient } from 'bandmaster/providers/redis';
import { sql, type Pool } from 'bandmaster/providers/sql';

// a short budget per attempt, so that a missing server fails fast in this demo
const optional = { required: false, retries: 1, backoff: 100, startTimeout: 3_000 } as const;

/** Uses every client it was given; a provider that failed to start is injected as undefined. */
@Service({ required: false })
class Inventory implements OnStart {
  readonly seen: Record<string, string> = {};

  constructor(
    @Optional() @Inject('mc-1') private readonly cache?: MemcachedClient,
    @Optional() @Inject('rd-1') private readonly redis?: RedisClient,
    @Optional() @Inject('cql-1') private readonly cql?: CassandraClient,
    @Optional() @Inject('nts-1') private readonly nats?: NatsConnection,
    @Optional() @Inject('kfk-1') private readonly kafka?: KafkaClients,
    @Optional() @Inject('es-1') private readonly search?: ElasticsearchClient,
    @Optional() @Inject('sql-1') private readonly db?: Pool,
  ) {}

  async onStart(): Promise<void> {
    const probes: [string, (() => Promise<unknown>) | undefined][] = [
      ['memcached', this.cache && (async () => (await this.cache!.set('bandmaster:all-providers', 'ok', { expires: 60 })) && (await this.cache!.get('bandmaster:all-providers')).value?.toString())],
      ['redis', this.redis && (() => this.redis!.ping())],
      ['cassandra', this.cql && (async () => (await this.cql!.execute('SELECT release_version FROM system.local')).first()?.['release_version'])],
      ['nats', this.nats && (async () => this.nats!.getServer())],
      ['kafka', this.kafka && (async () => (await this.kafka!.admin.describeCluster()).brokers.length)],
      ['elasticsearch', this.search && (async () => (await this.search!.info()).version.number)],
      ['postgres', this.db && (async () => (await this.db!.query('SELECT version()')).rows[0]?.version)],
    ];
    for (const [name, probe] of probes) this.seen[name] = probe ? String(await probe()) : 'not started';
  }
}

/** The successors' clients, probed like Inventory's (registered with DEMO_SUCCESSORS=1 only). */
@Service({ required: false })
class Successors implements OnStart {
  readonly seen: Record<string, string> = {};

  constructor(
    @Optional() @Inject('kfk-plt') private readonly kafka?: PlatformaticKafkaClients,
    @Optional() @Inject('nrd-1') private readonly redis?: NodeRedisClient,
    @Optional() @Inject('nts-3') private readonly nats?: NatsConnection,
  ) {}

  async onStart(): Promise<void> {
    const probes: [string, (() => Promise<unknown>) | undefined][] = [
      ['@platformatic/kafka', this.kafka && (async () => (await this.kafka!.admin.metadata({ topics: [] })).brokers.size)],
      ['node-redis', this.redis && (() => this.redis!.ping())],
      ['nats.js v3', this.nats && (async () => this.nats!.getServer())],
    ];
    for (const [name, probe] of probes) this.seen[name] = probe ? String(await probe()) : 'not started';
  }
}

async function main(): Promise<void> {
  const container = new Container();
  if (process.env['DEMO_SUCCESSORS'] === '1') {
    container.register(
      platformaticKafka({ name: 'kfk-plt', env: 'KAFKA_PLT_EXAMPLE', ...optional }),
      nodeRedis({ name: 'nrd-1', env: 'NRD_EXAMPLE', ...optional }),
      nats({ name: 'nts-3', env: 'NATS_EXAMPLE', client: '@nats-io/transport-node', ...optional }),
      Successors,
    );
  }
  container.register(
    memcached({ name: 'mc-1', env: 'MC_EXAMPLE', ...optional }),
    redis({ name: 'rd-1', env: 'RD_EXAMPLE', ...optional }),
    cassandra({ name: 'cql-1', env: 'CQL_EXAMPLE', ...optional }),
    nats({ name: 'nts-1', env: 'NATS_EXAMPLE', ...optional }),
    kafka({ name: 'kfk-1', env: 'KAFKA_EXAMPLE', ...optional }),
    elasticsearch({ name: 'es-1', env: 'ES_EXAMPLE', ...optional }),
    sql({ name: 'sql-1', env: 'SQL_EXAMPLE', ...optional }),
    Inventory,
  );

  let report: LifecycleReport;
  try {
    report = await container.startAll({ timeout: 20_000 });
  } catch (err) {
    if (!(err instanceof BootError)) throw err;
    report = err.report;
  }
  console.log(`\nboot report:\n${report.toString()}\n`);
  console.log(`${container.timeline().toText()}\n`);
  const inventory = container.get(Inventory);
  if (inventory) console.log(JSON.stringify({ level: 'info', msg: 'what each server said', ...inventory.seen }));
  const successors = container.get(Successors);
  if (successors) console.log(JSON.stringify({ level: 'info', msg: 'what each server said to the successors', ...successors.seen }));

  const health = await container.health({ timeout: 2_000 });
  console.log(JSON.stringify({ level: 'info', msg: 'health', healthy: health.healthy, services: Object.fromEntries(health.services.map((s) => [s.name, s.healthy])) }));

  const stopped = await container.stopAll({ timeout: 10_000 });
  console.log(`\nshutdown report:\n${stopped.toString()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
