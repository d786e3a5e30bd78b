import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { describeCause, abortable, defineProvider, isNetworkError, loadPeer, unreachable, deadline } from '../../lib';
import type { Logger } from '../../lib';
import { RedisConfig } from './redis.config';

/** What the Redis provider injects: an ioredis `Redis`, or a `Cluster` when `clusterNodes` is set. */
export type RedisClient = Redis | Cluster;

interface IORedisModule {
  readonly Redis: typeof Redis;
  readonly Cluster: typeof Cluster;
}

interface ClientState {
  /** Where the client connects, for messages: `host:port`, never credentials. */
  readonly address: string;
  /** The service name, for the warning logged when a started client loses its connection. */
  readonly name: string;
  /** The container's logger. */
  readonly log: Logger;
  /** Whether ioredis may reconnect on its own: only once a start succeeded. */
  reconnect: boolean;
}

const states = new WeakMap<object, ClientState>();
const DEFAULT_PORT = 6379;
/** How ioredis says that no Cluster node, or no Sentinel, could be reached. */
const ALL_DOWN = /Failed to refresh slots cache|None of startup nodes|All sentinels are unreachable/;

/**
 * The Redis provider: registers an ioredis client (plain server, Sentinel or Cluster) that is
 * connected and answered PING before anything depending on it starts.
 *
 * During start the container owns retries: ioredis's reconnect loop is off, and each attempt is
 * bounded by `connectTimeout`. Once started, ioredis reconnects on its own with exponential
 * backoff (50ms doubling, capped at 5s). Stop sends QUIT, falling back to closing the socket.
 *
 * @throws BandmasterError `InvalidConfig` (at the call) naming each bad variable.
 * @example
 * ```ts
 * container.register(redis({ name: 'rd-1', env: 'RD_EXAMPLE', retries: 3, backoff: 100 }));
 * // then: constructor(@Inject('rd-1') private readonly redis: Redis) {}
 * ```
 */
export const redis = defineProvider<RedisConfig, RedisClient>({
  provider: 'redis',
  peer: 'ioredis',
  configClass: RedisConfig,
  create: (config, { name, log }) => createClient(config, name, log),
  start: async (client, { signal, lost }, config) => {
    await startClient(client, signal, config);
    // 'end': no reconnection will follow (its retries gave up, or the user's code closed it)
    client.once('end', () => lost(new Error(`redis client ${stateOf(client).address} ended: no more reconnections`)));
  },
  healthCheck: (client, { signal }) => abortable(client.ping(), signal, () => undefined),
  stop: (client, { signal }) => stopClient(client, signal),
  connectDeadline: (config) => ({ ms: config.connectTimeout, address: describeTarget(config, parseUri(config)) }),
});

function createClient(config: RedisConfig, name: string, log: Logger): RedisClient {
  const { Redis, Cluster } = loadPeer<IORedisModule>('ioredis', 'redis');
  const server = parseUri(config);
  const state: ClientState = { address: describeTarget(config, server), name, log, reconnect: false };
  // until a start succeeded, a failed connection ends the attempt instead of looping in ioredis
  const gated = (delay: (times: number) => number) => (times: number) => (state.reconnect ? delay(times) : null);
  const common = {
    // how long ioredis's disconnect() waits for a graceful close before destroying the socket;
    // its 2s default outlives a stop or a failed start as a pending timer
    disconnectTimeout: 100,
    username: server.username || undefined,
    password: server.password || undefined,
    connectTimeout: config.connectTimeout,
    commandTimeout: config.commandTimeout > 0 ? config.commandTimeout : undefined,
    maxRetriesPerRequest: config.maxRetriesPerRequest,
    connectionName: config.connectionName || undefined,
    tls: server.tls ? tlsOptions(config) : undefined,
  };
  let client: RedisClient;
  if (config.clusterNodes.length > 0) {
    const options: ClusterOptions = { lazyConnect: true, clusterRetryStrategy: gated(reconnectDelay), redisOptions: common };
    client = new Cluster(config.clusterNodes.map(parseHostPort), options);
  } else {
    const options: RedisOptions = { ...common, db: server.db, lazyConnect: true, retryStrategy: gated(reconnectDelay) };
    if (config.sentinels.length > 0) {
      Object.assign(options, {
        sentinels: config.sentinels.map(parseHostPort),
        name: config.sentinelName,
        sentinelPassword: config.sentinelPassword || undefined,
        enableTLSForSentinelMode: server.tls,
        sentinelRetryStrategy: gated((times) => Math.min(times * 10, 1_000)),
      } satisfies RedisOptions);
    } else {
      Object.assign(options, { host: server.host, port: server.port });
    }
    client = new Redis(options);
  }
  states.set(client, state);
  return client;
}

async function startClient(client: RedisClient, signal: AbortSignal, config: RedisConfig): Promise<void> {
  const state = stateOf(client);
  const attempt = deadline(signal, config.connectTimeout, 'redis connect');
  const seen: unknown[] = [];
  const onError = (err: unknown): void => {
    seen.push(err);
  };
  // also keeps ioredis from printing "Unhandled error event" for errors this attempt reports
  client.on('error', onError);
  client.on('node error', onError);
  try {
    await abortable(client.connect(), attempt.signal, () => forceClose(client));
    await abortable(client.ping(), attempt.signal, () => forceClose(client));
    state.reconnect = true;
    client.off('error', onError);
    client.off('node error', onError);
    watchConnection(client, state);
  } catch (err) {
    forceClose(client);
    if (signal.aborted) throw signal.reason;
    if (attempt.signal.aborted) throw new Error(`redis at ${state.address}: no answer within ${config.connectTimeout}ms (connect, handshake, PING)`, { cause: err });
    throw failure(state.address, pickCause(err, seen));
  } finally {
    attempt.dispose();
  }
}

/**
 * Once started, a lost connection is ioredis's to recover: log it once per outage through the
 * bandmaster logger (message only: ioredis error objects can carry AUTH arguments), and keep
 * ioredis from printing "Unhandled error event" on every reconnect attempt.
 */
function watchConnection(client: RedisClient, state: ClientState): void {
  let reported = false;
  const onError = (err: unknown): void => {
    if (reported || !state.reconnect) return;
    reported = true;
    state.log.warn('redis connection lost; ioredis reconnects on its own', { service: state.name, address: state.address, error: describeCause(err) });
  };
  client.on('error', onError);
  client.on('node error', onError);
  client.on('ready', () => {
    reported = false;
  });
}

async function stopClient(client: RedisClient, signal: AbortSignal): Promise<void> {
  stateOf(client).reconnect = false;
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    // connecting or waiting to reconnect: there is no connection to send QUIT on
    forceClose(client);
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  try {
    await abortable(
      client.quit().then(() => ended),
      signal,
      () => forceClose(client),
    );
  } catch (err) {
    if (signal.aborted) throw err;
    // QUIT failed (connection lost mid-way): close the socket without it
    forceClose(client);
  }
}

/** Closes at once: no graceful end, no reconnect timer, no half-open socket left behind. */
function forceClose(client: RedisClient): void {
  stateOf(client).reconnect = false;
  // disconnecting an ended client arms a 2s destroy timer that waits for a 'close' already past
  if (client.status === 'end') return;
  const nodes = client.isCluster ? (client as Cluster).nodes('all') : [client as Redis];
  client.disconnect();
  for (const node of nodes) (node.stream as Redis['stream'] | undefined)?.destroy();
}

function stateOf(client: RedisClient): ClientState {
  const state = states.get(client);
  if (!state) throw new TypeError('not a client created by the redis provider');
  return state;
}

/** ioredis's default reconnect delay: 50ms doubling, capped at 5s, plus jitter against herds. */
function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 10), 5_000) + Math.floor(Math.random() * 200);
}

interface ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly db: number;
  readonly tls: boolean;
}

function parseUri(config: RedisConfig): ServerTarget {
  const url = new URL(config.uri);
  const path = url.pathname.replace(/^\/|\/$/g, '');
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : DEFAULT_PORT,
    username: config.username || decodeURIComponent(url.username),
    password: config.password || decodeURIComponent(url.password),
    db: config.db ?? (path ? Number(path) : 0),
    tls: config.tls || url.protocol === 'rediss:',
  };
}

function parseHostPort(entry: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(entry);
  return { host: match?.[1] ?? match?.[2] ?? entry, port: match?.[3] ? Number(match[3]) : DEFAULT_PORT };
}

function describeTarget(config: RedisConfig, server: ServerTarget): string {
  if (config.clusterNodes.length > 0) return `cluster nodes ${config.clusterNodes.join(', ')}`;
  if (config.sentinels.length > 0) return `sentinels ${config.sentinels.join(', ')} (master ${config.sentinelName})`;
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

/** No `servername`: Node derives SNI from each connection's host, which also suits every Cluster node. */
function tlsOptions(config: RedisConfig): ConnectionOptions {
  return { rejectUnauthorized: config.tlsRejectUnauthorized, ca: config.tlsCa || undefined };
}

/**
 * ioredis rejects `connect()` with "Connection is closed." and reports why on its error events
 * (for Cluster, per node): the last network error seen says the most.
 */
function pickCause(rejection: unknown, seen: readonly unknown[]): unknown {
  const generic = rejection instanceof Error && /^Connection is (closed|aborted)|None of startup nodes/.test(rejection.message);
  if (!generic || seen.length === 0) return rejection;
  const network = seen.filter((e) => isNetworkError(e));
  return network.at(-1) ?? seen.at(-1);
}

/** Names the server; keeps no ioredis error as cause, since those carry command arguments (AUTH). */
function failure(address: string, cause: unknown): Error {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const clean = new Error(describeCause(cause));
  if (cause instanceof Error) clean.name = cause.name;
  if (typeof code === 'string') Object.assign(clean, { code });
  if (isNetworkError(clean) || ALL_DOWN.test(clean.message)) return unreachable('redis', address, clean);
  return new Error(`redis at ${address}: ${clean.message}`, { cause: clean });
}
