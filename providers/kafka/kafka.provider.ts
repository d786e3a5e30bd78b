import { inspect } from 'node:util';
import type { Admin, Consumer, Kafka, KafkaConfig as KafkaJsConfig, LogEntry, Producer, RetryOptions, SASLOptions } from 'kafkajs';
import { describeCause, abortable, defineProvider, isNetworkError, loadPeer, unreachable } from '../../lib';
import type { Logger } from '../../lib';
import { KafkaConfig, type KafkaLogLevel } from './kafka.config';
import { SocketTracker } from './kafka.sockets';

type KafkaJs = typeof import('kafkajs');

/**
 * What the Kafka provider injects (`@Inject('kfk-1')`): the kafkajs client with its producer and
 * admin connected, and the consumer, connected and subscribed, when a group is configured.
 *
 * @example
 * ```ts
 * constructor(@Inject('kfk-1') private readonly kafka: KafkaClients) {}
 * await this.kafka.consumer?.run({ eachMessage: async ({ message }) => handle(message) });
 * ```
 */
export interface KafkaClients {
  /** The kafkajs client: make more producers or consumers from it; they share its brokers and credentials. */
  readonly kafka: Kafka;
  /** Connected; idempotent when `idempotent` is set. */
  readonly producer: Producer;
  /** Connected; `describeCluster()` answered at start. */
  readonly admin: Admin;
  /** With `groupId` only: connected and subscribed to `topics`; it joins its group on `consumer.run()`. */
  readonly consumer?: Consumer;
}

interface ClientState {
  /** The seed brokers, for messages: `host:port, ...`, never credentials. */
  readonly address: string;
  readonly sockets: SocketTracker;
  /** kafkajs's errors during a start attempt are the attempt's failure: logged at debug until started. */
  started: boolean;
}

const states = new WeakMap<KafkaClients, ClientState>();

/**
 * Retries of producer, admin and consumer operations after start: kafkajs's defaults (5 retries,
 * 300ms doubling, at most 30s), since sends and fetches ride out broker restarts with them.
 */
const OPERATION_RETRY: RetryOptions = { retries: 5, initialRetryTime: 300, maxRetryTime: 30_000 };

const LOG_LEVELS: Record<KafkaLogLevel, number> = { nothing: 0, error: 1, warn: 2, info: 4, debug: 5 };
const NETWORK_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

/**
 * The Kafka provider: registers a kafkajs client whose admin answered `describeCluster()` and
 * whose producer (and consumer, with `groupId`) is connected before anything depending on it
 * starts. What is injected is {@link KafkaClients}.
 *
 * During start the container owns retries: each attempt tries every seed broker once (kafkajs's
 * client-level retry is bounded to that), so `retries: 2` means three attempts. After start,
 * operations use kafkajs's default retry, and kafkajs reconnects to a dropped broker on the next
 * request. Stop disconnects the consumer (leaving its group), then the producer and admin, and
 * closes every socket the client opened.
 *
 * @throws BandmasterError `InvalidConfig` (at the call) naming each bad variable; `InvalidDefinition`
 * at start when the kafkajs package is not installed.
 * @example
 * ```ts
 * container.register(kafka({ name: 'kfk-1', env: 'KFK_EXAMPLE', retries: 3, backoff: 200 }));
 * // then: constructor(@Inject('kfk-1') private readonly kafka: KafkaClients) {}
 * await kafka.producer.send({ topic: 'orders', messages: [{ value: 'hello' }] });
 * ```
 */
export const kafka = defineProvider<KafkaConfig, KafkaClients>({
  provider: 'kafka',
  peer: 'kafkajs',
  configClass: KafkaConfig,
  create: (config, { name, log }) => createClients(config, name, log),
  start: async (clients, { signal, lost }, config) => {
    await startClients(clients, signal, config);
    watchLoss(clients, stateOf(clients), lost);
  },
  healthCheck: (clients, { signal }) => healthCheck(clients, signal),
  stop: (clients, { signal }) => stopClients(clients, signal),
  connectDeadline: (config) => ({ ms: config.connectTimeout, address: config.brokers.join(', ') }),
});

/**
 * The kafkajs client options a {@link KafkaConfig} stands for (without socket factory and
 * logger). Its `retry` covers one pass over the seed brokers: the container retries the rest.
 *
 * @throws nothing: the config is validated already.
 * @example
 * ```ts
 * const options = kafkaClientConfig(loadEnv(KafkaConfig, 'KFK_EXAMPLE'), 'kfk-1');
 * ```
 */
export function kafkaClientConfig(config: KafkaConfig, name: string): KafkaJsConfig {
  return {
    brokers: [...config.brokers],
    clientId: config.clientId ?? name,
    connectionTimeout: config.connectionTimeout,
    requestTimeout: config.requestTimeout,
    // one pass over the seed brokers per attempt: kafkajs moves to the next seed on each retry
    retry: { retries: config.brokers.length - 1, initialRetryTime: 100, maxRetryTime: 1_000 },
    ...(config.ssl ? { ssl: { rejectUnauthorized: config.sslRejectUnauthorized, ...(config.sslCa ? { ca: config.sslCa } : {}) } } : {}),
    ...(config.saslMechanism ? { sasl: { mechanism: config.saslMechanism, username: config.saslUsername, password: config.saslPassword } as SASLOptions } : {}),
    logLevel: LOG_LEVELS[config.logLevel],
  };
}

function createClients(config: KafkaConfig, name: string, log: Logger): KafkaClients {
  const kafkajs = loadPeer<KafkaJs>('kafkajs', 'kafka');
  const state: ClientState = { address: config.brokers.join(', '), sockets: new SocketTracker(), started: false };
  const client = new kafkajs.Kafka({ ...kafkaClientConfig(config, name), socketFactory: state.sockets.factory, logCreator: () => forwardLogs(state, name, log) });
  const producer = client.producer({ retry: OPERATION_RETRY, idempotent: config.idempotent, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  const admin = client.admin({ retry: OPERATION_RETRY });
  const consumer = config.groupId ? client.consumer({ groupId: config.groupId, retry: OPERATION_RETRY, maxWaitTimeInMs: config.maxWaitTime }) : undefined;
  const clients: KafkaClients = { kafka: client, producer, admin, ...(consumer ? { consumer } : {}) };
  const summary = `KafkaClients ${JSON.stringify({ brokers: config.brokers, clientId: config.clientId ?? name, groupId: config.groupId, topics: config.topics })}`;
  // printing the clients shows where they point, not kafkajs internals
  Object.defineProperties(clients, {
    toString: { value: () => summary },
    [inspect.custom]: { value: () => summary },
  });
  states.set(clients, state);
  return Object.freeze(clients);
}

async function startClients(clients: KafkaClients, signal: AbortSignal, config: KafkaConfig): Promise<void> {
  const state = stateOf(clients);
  try {
    await abortable(connectAll(clients, config), signal, () => state.sockets.closeAll(abortError(signal)));
  } catch (err) {
    if (signal.aborted) {
      // disconnecting clears kafkajs's timers; the sockets are already gone, so this settles soon
      void disconnectAll(clients).catch(() => undefined);
      throw signal.reason;
    }
    state.sockets.closeAll(new Error('kafka client closed after a failed start'));
    await abortable(
      disconnectAll(clients).catch(() => undefined),
      signal,
      () => undefined,
    ).catch(() => undefined);
    throw failure(state.address, err);
  }
  state.started = true;
}

async function connectAll({ admin, producer, consumer }: KafkaClients, config: KafkaConfig): Promise<void> {
  // the admin answers first: an unreachable cluster fails before producer and consumer try it
  await admin.connect();
  await admin.describeCluster();
  await Promise.all([
    producer.connect(),
    consumer?.connect().then(() => (config.topics.length > 0 ? consumer.subscribe({ topics: config.topics, fromBeginning: config.fromBeginning }) : undefined)),
  ]);
}

async function healthCheck(clients: KafkaClients, signal: AbortSignal): Promise<void> {
  try {
    await abortable(clients.admin.describeCluster(), signal, () => undefined);
  } catch (err) {
    throw signal.aborted ? err : failure(stateOf(clients).address, err);
  }
}

async function stopClients(clients: KafkaClients, signal: AbortSignal): Promise<void> {
  const state = stateOf(clients);
  state.started = false;
  try {
    await abortable(disconnectAll(clients), signal, () => state.sockets.closeAll(abortError(signal)));
  } finally {
    // kafkajs's disconnect only half-closes: nothing it opened outlives the stop
    state.sockets.closeAll(new Error('kafka client stopped'));
  }
}

/**
 * Reports the clients lost (closed for good) while started: a consumer crash kafkajs does not
 * restart from (`restart: false`), and a producer, admin or consumer disconnected by the
 * application's code. A crash that kafkajs restarts from is not a loss: kafkajs disconnects the
 * consumer before it emits CRASH, so a consumer DISCONNECT counts only when no CRASH follows it
 * within the same turn of the event loop. A broker that goes away emits nothing: health polls
 * (`describeCluster`) see that.
 */
function watchLoss({ producer, admin, consumer }: KafkaClients, state: ClientState, lost: (error: unknown) => void): void {
  const report = (error: unknown): void => {
    if (state.started) lost(error);
  };
  const closedByCode = (what: string) => () => report(new Error(`kafka ${what} at ${state.address} disconnected by the application: closed for good`));
  producer.on(producer.events.DISCONNECT, closedByCode('producer'));
  admin.on(admin.events.DISCONNECT, closedByCode('admin'));
  if (!consumer) return;
  let crashed = false;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    crashed = true;
    if (!payload.restart) report(new Error(`kafka consumer at ${state.address} crashed and kafkajs does not restart it: ${describeCause(payload.error)}`, { cause: payload.error }));
  });
  consumer.on(consumer.events.DISCONNECT, () => {
    crashed = false;
    setImmediate(() => crashed || closedByCode('consumer')());
  });
}

/** The consumer first (it leaves its group and may commit), then producer and admin together. */
async function disconnectAll({ admin, producer, consumer }: KafkaClients): Promise<void> {
  await consumer?.disconnect();
  await Promise.all([producer.disconnect(), admin.disconnect()]);
}

function stateOf(clients: KafkaClients): ClientState {
  const state = states.get(clients);
  if (!state) throw new TypeError('not clients created by the kafka provider');
  return state;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(describeCause(signal.reason));
}

/** kafkajs's log entries, through the container's logger, with the service name. */
function forwardLogs(state: ClientState, service: string, logger: Logger): (entry: LogEntry) => void {
  return ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _name, stack: _stack, ...fields } = log;
    const method: keyof Logger = !state.started ? 'debug' : level <= 1 ? 'error' : level === 2 ? 'warn' : level === 4 ? 'info' : 'debug';
    logger[method](`kafkajs: ${String(message)}`, { service, namespace, ...fields });
  };
}

/** The innermost kafkajs error: retry wrappers carry the real one as `cause`. */
function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const name = (current as Error | undefined)?.name;
    const cause = (current as { cause?: unknown } | undefined)?.cause;
    if ((name !== 'KafkaJSNumberOfRetriesExceeded' && name !== 'KafkaJSNonRetriableError') || cause === undefined || cause === current) break;
    current = cause;
  }
  return current;
}

/** The start failure as an error naming the seed brokers, the kafkajs error as cause. */
function failure(address: string, err: unknown): Error {
  const cause = rootCause(err);
  if (isNetworkError(cause, ({ name }) => typeof name === 'string' && NETWORK_ERRORS.has(name))) return unreachable('kafka', address, cause);
  return new Error(`kafka at ${address}: ${describeCause(cause)}`, { cause });
}
