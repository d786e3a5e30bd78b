import type { Client, ClientOptions } from 'cassandra-driver';
import { describeCause, abortable, defineProvider, loadPeer } from '../../lib';
import { CassandraConfig, contactAddresses } from './cassandra.config';
import { ConnectionTracker } from './cassandra.connections';
import { reportClosedByCode } from '../closed-by-code';

type Driver = typeof import('cassandra-driver');

/** The query `start` and `healthCheck` run: every node answers it, whatever the schema. */
export const CASSANDRA_HEALTH_QUERY = 'SELECT release_version FROM system.local';

const trackers = new WeakMap<Client, ConnectionTracker>();
/** Clients started and not being stopped by the provider: only these can be lost. */
const started = new WeakSet<Client>();
const noop = (): void => undefined;

/**
 * The cassandra-driver options a {@link CassandraConfig} stands for. Retries during start belong
 * to the container: `connect()` tries each contact point once, and the driver's reconnection
 * policy only runs once the client is connected.
 */
export function cassandraClientOptions(config: CassandraConfig): ClientOptions {
  return {
    contactPoints: [...config.contactPoints],
    localDataCenter: config.localDataCenter,
    ...(config.keyspace ? { keyspace: config.keyspace } : {}),
    ...(config.username ? { credentials: { username: config.username, password: config.password } } : {}),
    ...(config.tls ? { sslOptions: { rejectUnauthorized: config.tlsRejectUnauthorized } } : {}),
    socketOptions: { connectTimeout: config.connectTimeout, readTimeout: config.readTimeout },
  };
}

function createClient(config: CassandraConfig): Client {
  const driver = loadPeer<Driver>('cassandra-driver', 'cassandra');
  const tracker = new ConnectionTracker();
  const forward: { to?: Client } = {};
  // logEmitter is a driver option its typings leave out; the client's own 'log' events keep working
  const options: ClientOptions & { logEmitter: unknown } = {
    ...cassandraClientOptions(config),
    logEmitter: tracker.logEmitter((event, ...args) => forward.to?.emit(event, ...args)),
  };
  const client = new driver.Client(options);
  forward.to = client;
  trackers.set(client, tracker);
  client.on('hostRemove', shutDownHost);
  return client;
}

/**
 * When the control connection reconnects through its contact points, the driver replaces the
 * host it is connected to with a new one but leaves the old host's pool running: it reconnects on
 * its own schedule and holds connections nobody closes. A removed host is done with, so shut it
 * down (the driver already drains hosts it removes on purpose; this does not hurry them).
 */
function shutDownHost(host: unknown): void {
  const shutdown = (host as { shutdown?: (waitForPending: boolean) => Promise<void> }).shutdown;
  if (typeof shutdown === 'function') void shutdown.call(host, false).catch(noop);
}

async function start(client: Client, signal: AbortSignal, config: CassandraConfig): Promise<void> {
  signal.throwIfAborted();
  const tracker = trackers.get(client);
  const connecting = client.connect();
  try {
    await abortable(connecting, signal, () => abandon(client, connecting, tracker, signal.reason));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    await teardown(client, tracker);
    throw connectError(config, err);
  }
  try {
    await abortable(client.execute(CASSANDRA_HEALTH_QUERY), signal, () => void teardown(client, tracker));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    await teardown(client, tracker);
    throw new Error(`cassandra at ${contactAddresses(config)}: health query failed: ${firstLine(describeCause(err))}`, { cause: err });
  }
}

/** A cancelled connect: kill its sockets now, and shut the client down once `connect()` gives up. */
function abandon(client: Client, connecting: Promise<void>, tracker: ConnectionTracker | undefined, reason: unknown): void {
  tracker?.destroyAll(reason instanceof Error ? reason : new Error(describeCause(reason)));
  void connecting.then(noop, noop).then(() => teardown(client, tracker));
}

async function teardown(client: Client, tracker: ConnectionTracker | undefined): Promise<void> {
  await client.shutdown().catch(noop);
  tracker?.destroyAll(new Error('cassandra client shut down after a failed start'));
}

async function healthCheck(client: Client, signal: AbortSignal): Promise<void> {
  await abortable(client.execute(CASSANDRA_HEALTH_QUERY), signal, noop);
}

/**
 * Reports the client lost while started: every known host marked down (the driver keeps trying
 * to reconnect, but nothing can be queried until a host is back), or `shutdown()` called by the
 * application's code (closed for good).
 */
function watchLoss(client: Client, config: CassandraConfig, lost: (error: unknown) => void): void {
  const address = contactAddresses(config);
  client.on('hostDown', () => {
    if (started.has(client) && client.hosts.values().every((host) => !host.isUp())) lost(new Error(`cassandra at ${address}: every host is down`));
  });
  reportClosedByCode(client, 'shutdown', () => started.has(client), lost, () => new Error(`cassandra client for ${address} shut down by the application: closed for good`));
}

async function stop(client: Client): Promise<void> {
  started.delete(client);
  await client.shutdown();
  trackers.get(client)?.destroyAll(new Error('cassandra client shut down'));
}

/** Names every contact point with its port, and says why each failed, on one line. */
function connectError(config: CassandraConfig, err: unknown): Error {
  const address = contactAddresses(config);
  const inner = (err as { innerErrors?: unknown } | undefined)?.innerErrors;
  const causes = inner && typeof inner === 'object' ? Object.entries(inner).map(([host, e]) => `${host}: ${firstLine(describeCause(e))}`) : [];
  if ((err as Error | undefined)?.name === 'NoHostAvailableError') {
    return new Error(`cassandra at ${address} is unreachable: ${causes.length > 0 ? causes.join('; ') : firstLine(describeCause(err))}`, { cause: err });
  }
  return new Error(`cassandra at ${address}: connect failed: ${firstLine(describeCause(err))}`, { cause: err });
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

/**
 * A Cassandra client (cassandra-driver `Client`) as a service. The configuration is read and
 * validated when this is called; each start attempt builds a fresh client, connects it, and
 * queries `system.local`. Stop shuts the client down. What is injected (`@Inject('cql-1')`) and
 * resolved is the connected `Client` itself.
 *
 * @throws BandmasterError `InvalidConfig` naming every bad variable (or `config.` field);
 * `InvalidDefinition` at start when the cassandra-driver package is not installed.
 * @example
 * ```ts
 * container.register(cassandra({ name: 'cql-1', env: 'CQL_EXAMPLE', retries: 3, backoff: 500 }));
 * await container.startAll();
 * const rows = await container.resolve<CassandraClient>('cql-1').execute('SELECT now() FROM system.local');
 * ```
 */
export const cassandra = defineProvider<CassandraConfig, Client>({
  provider: 'cassandra',
  peer: 'cassandra-driver',
  configClass: CassandraConfig,
  create: (config) => createClient(config),
  start: async (client, { signal, lost }, config) => {
    await start(client, signal, config);
    started.add(client);
    watchLoss(client, config, lost);
  },
  healthCheck: (client, { signal }) => healthCheck(client, signal),
  stop: (client) => stop(client),
  connectDeadline: (config) => ({ ms: config.connectTimeout, address: contactAddresses(config) }),
});
