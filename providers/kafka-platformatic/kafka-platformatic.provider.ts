import { inspect } from 'node:util';
import type { Admin, BaseOptions, Consumer, Producer } from '@platformatic/kafka' with { 'resolution-mode': 'import' };
import { BandmasterError, describeCause, abortable, defineProvider, unreachable } from '../../lib';
import type { FactoryDefinition, ProviderOptions } from '../../lib';
import { PlatformaticKafkaConfig } from './kafka-platformatic.config';

type PlatformaticKafka = typeof import('@platformatic/kafka', { with: { 'resolution-mode': 'import' } });

/** The package this provider loads (an optional peer dependency, ESM-only). */
const PEER = '@platformatic/kafka';

/**
 * What the `@platformatic/kafka` provider injects (`@Inject('kfk-1')`): an admin whose metadata
 * request was answered, a ready producer, and with `groupId` a consumer whose group coordinator
 * answered. Keys and values are Buffers (the library's defaults): give serialisers to your own
 * clients, or make more from the same options with {@link platformaticKafkaOptions}.
 *
 * @example
 * ```ts
 * constructor(@Inject('kfk-1') private readonly kafka: PlatformaticKafkaClients) {}
 * await this.kafka.producer.send({ messages: [{ topic: 'orders', value: Buffer.from('hello') }] });
 * const stream = await this.kafka.consumer!.consume({ topics: ['orders'] }); // joins the group
 * ```
 */
export interface PlatformaticKafkaClients {
  /** Answered a metadata request at start. */
  readonly admin: Admin;
  /** Connected to the cluster; with `idempotent`, holds its producer id. */
  readonly producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  /** With `groupId` only: its group coordinator found; `consume({ topics })` joins the group. */
  readonly consumer?: Consumer<Buffer, Buffer, Buffer, Buffer>;
}

const addresses = new WeakMap<PlatformaticKafkaClients, string>();
/** Clients started and not being stopped by the provider: only these can be lost. */
const started = new WeakSet<PlatformaticKafkaClients>();

const SASL_MECHANISMS = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/**
 * The `@platformatic/kafka` client options a {@link PlatformaticKafkaConfig} stands for.
 *
 * Each request is retried 3 times, 250ms apart, by the library itself, during start too: its
 * `retries` is a client option, and a producer that gave up on transient errors after start would
 * lose sends. An attempt tries every seed broker in turn.
 *
 * @throws nothing: the config is validated already.
 * @example
 * ```ts
 * const options = platformaticKafkaOptions(loadEnv(PlatformaticKafkaConfig, 'KFK_EXAMPLE'), 'kfk-1');
 * const extra = new Producer(options);
 * ```
 */
export function platformaticKafkaOptions(config: PlatformaticKafkaConfig, name: string): BaseOptions {
  return {
    clientId: config.clientId ?? name,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: config.connectionTimeout,
    timeout: config.requestTimeout,
    retries: 3,
    retryDelay: 250,
    ...(config.ssl ? { tls: { rejectUnauthorized: config.sslRejectUnauthorized, ...(config.sslCa ? { ca: config.sslCa } : {}) } } : {}),
    ...(config.saslMechanism ? { sasl: { mechanism: SASL_MECHANISMS[config.saslMechanism], username: config.saslUsername, password: config.saslPassword } } : {}),
  };
}

const provider = defineProvider<PlatformaticKafkaConfig, PlatformaticKafkaClients>({
  provider: 'kafka-platformatic',
  configClass: PlatformaticKafkaConfig,
  create: (config, { name }) => createClients(config, name),
  start: async (clients, { signal, lost }, config) => {
    await startClients(clients, signal, config);
    started.add(clients);
    watchLoss(clients, lost);
  },
  healthCheck: (clients, { signal }) => healthCheck(clients, signal),
  stop: (clients, { signal }) => stopClients(clients, signal),
});

/**
 * The Kafka provider on `@platformatic/kafka` (pure TypeScript, no native addon): registers an
 * admin, a producer and, with `groupId`, a consumer, which answered the cluster before anything
 * depending on them starts. What is injected is {@link PlatformaticKafkaClients}. It reads the
 * same variables as the kafkajs provider (`bandmaster/providers/kafka`).
 *
 * Start: the admin's metadata round trip, then the producer's (its producer id with `idempotent`)
 * and the consumer's group coordinator lookup. Health: a fresh metadata request. Stop: the
 * consumer leaves its group and closes, then producer and admin close.
 *
 * @throws BandmasterError `InvalidDefinition` (at the call) when `@platformatic/kafka` is not
 * installed or this Node cannot load it (ESM-only: `require(esm)` needs Node >= 20.19, and its 2.x
 * needs Node >= 22.22); `InvalidConfig` naming each bad variable.
 * @example
 * ```ts
 * container.register(platformaticKafka({ name: 'kfk-1', env: 'KFK_EXAMPLE', retries: 3, backoff: 200 }));
 * ```
 */
export function platformaticKafka(options: ProviderOptions<PlatformaticKafkaConfig>): FactoryDefinition<PlatformaticKafkaClients> {
  loadPlatformatic();
  return provider(options);
}

function loadPlatformatic(): PlatformaticKafka {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(PEER) as PlatformaticKafka;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const detail =
      code === 'MODULE_NOT_FOUND'
        ? `the kafka-platformatic provider needs the ${PEER} package: npm install ${PEER}`
        : `${PEER} could not be loaded on Node ${process.versions.node} (${describeCause(err)}): it is ESM-only and needs require(esm), Node >= 20.19 for its 1.x and >= 22.22 or 24.6 for its 2.x`;
    throw new BandmasterError('InvalidDefinition', { service: 'kafka-platformatic', detail, cause: err });
  }
}

function createClients(config: PlatformaticKafkaConfig, name: string): PlatformaticKafkaClients {
  const { Admin, Consumer, Producer } = loadPlatformatic();
  const options = platformaticKafkaOptions(config, name);
  const admin = new Admin(options);
  const producer = new Producer({ ...options, idempotent: config.idempotent });
  const consumer = config.groupId ? new Consumer({ ...options, groupId: config.groupId, maxWaitTime: config.maxWaitTime }) : undefined;
  const clients: PlatformaticKafkaClients = { admin, producer, ...(consumer ? { consumer } : {}) };
  const summary = `PlatformaticKafkaClients ${JSON.stringify({ brokers: config.brokers, clientId: options.clientId, groupId: config.groupId })}`;
  // printing the clients shows where they point, not the library's internals (which hold the SASL password)
  Object.defineProperties(clients, {
    toString: { value: () => summary },
    toJSON: { value: () => summary },
    [inspect.custom]: { value: () => summary },
  });
  addresses.set(clients, config.brokers.join(', '));
  return Object.freeze(clients);
}

async function startClients(clients: PlatformaticKafkaClients, signal: AbortSignal, config: PlatformaticKafkaConfig): Promise<void> {
  try {
    // closing is the only way to cancel: it fails what is in flight and refuses new requests
    await abortable(connectAll(clients, config), signal, () => void closeAll(clients, true).catch(() => undefined));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    await closeAll(clients, true).catch(() => undefined);
    throw failure(addressOf(clients), err);
  }
}

async function connectAll({ admin, producer, consumer }: PlatformaticKafkaClients, config: PlatformaticKafkaConfig): Promise<void> {
  // the admin answers first: an unreachable cluster fails before producer and consumer try it
  await admin.metadata({ topics: [] });
  await Promise.all([
    config.idempotent ? producer.initIdempotentProducer({}) : producer.metadata({ topics: [] }),
    consumer?.findGroupCoordinator(),
  ]);
}

async function healthCheck(clients: PlatformaticKafkaClients, signal: AbortSignal): Promise<void> {
  try {
    await abortable(clients.admin.metadata({ topics: [], forceUpdate: true }), signal, () => undefined);
  } catch (err) {
    throw signal.aborted ? err : failure(addressOf(clients), err);
  }
}

async function stopClients(clients: PlatformaticKafkaClients, signal: AbortSignal): Promise<void> {
  started.delete(clients);
  await abortable(closeAll(clients, false), signal, () => void closeAll(clients, true).catch(() => undefined));
}

/**
 * Reports the clients lost (closed for good) while started: the consumer's `error` event (it
 * could not rejoin its group after its retries: it consumes no more) and `client:close` of the
 * admin, producer or consumer (closed by the application's code). The listener on `error` also
 * keeps that event from crashing the process. A broker that goes away emits nothing: health polls
 * (a metadata request) see that.
 */
function watchLoss(clients: PlatformaticKafkaClients, lost: (error: unknown) => void): void {
  const address = addressOf(clients);
  const report = (error: Error): void => {
    if (started.has(clients)) lost(error);
  };
  for (const [what, client] of Object.entries({ admin: clients.admin, producer: clients.producer, consumer: clients.consumer })) {
    client?.on('client:close', () => report(new Error(`kafka ${what} at ${address} closed by the application: closed for good`)));
  }
  clients.consumer?.on('error', (err: unknown) => report(new Error(`kafka consumer at ${address} left its group for good (rejoin failed): ${describeCause(err)}`, { cause: err })));
}

/** The consumer first (it leaves its group), then producer and admin together. `force` skips the leave. */
async function closeAll({ admin, producer, consumer }: PlatformaticKafkaClients, force: boolean): Promise<void> {
  await consumer?.close(force);
  await Promise.all([producer.close(), admin.close()]);
}

function addressOf(clients: PlatformaticKafkaClients): string {
  return addresses.get(clients) ?? 'unknown brokers';
}

/** The innermost error: the library wraps retried and per-broker failures in aggregates. */
function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const inner = (current as { errors?: unknown[] } | undefined)?.errors;
    if (!Array.isArray(inner) || inner.length === 0) break;
    current = inner[inner.length - 1];
  }
  return current;
}

/** The start failure as an error naming the seed brokers, the library's error as cause. */
function failure(address: string, err: unknown): Error {
  const cause = rootCause(err);
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'PLT_KFK_NETWORK' || code === 'ECONNREFUSED' || code === 'PLT_KFK_TIMEOUT') return unreachable('kafka', address, cause);
  return new Error(`kafka at ${address}: ${describeCause(cause)}`, { cause });
}
