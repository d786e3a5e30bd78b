import { inspect } from 'node:util';
import type { RedisClientOptions, createClient } from 'redis';
import { describeCause, abortable, defineProvider, loadPeer, unreachable } from '../../lib';
import type { FactoryDefinition, Logger, ProviderOptions } from '../../lib';
import { NodeRedisConfig } from './node-redis.config';

type NodeRedis = typeof import('redis');

/** What the node-redis provider injects (`@Inject('rd-1')`): a connected node-redis client. */
export type NodeRedisClient = ReturnType<typeof createClient>;

interface ClientState {
  readonly name: string;
  /** `host:port` for messages, never credentials. */
  readonly address: string;
  /** Before start succeeds node-redis must not reconnect: the container owns start retries. */
  started: boolean;
  /** Whether the current outage was logged already. */
  outage: boolean;
  /** Whether the current attempt's socket has connected (node-redis emitted 'connect'). */
  socketUp: boolean;
  /** Whether the current attempt was given up: its socket must close as soon as it exists. */
  abandoned: boolean;
  /** Settles when the current attempt's connect() is over: settled, or abandoned and closed (see abandon). */
  landed: Promise<void>;
  land: () => void;
}

const states = new WeakMap<object, ClientState>();

/** How long an attempt abandoned mid-connect gets to wind down before the next attempt reuses the client. */
const LANDED_GRACE_MS = 250;

/** Reconnect delays after start: 50ms doubling, at most 2s, as ioredis's default does. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2_000);
}

/**
 * The node-redis client options a {@link NodeRedisConfig} stands for (without the reconnect
 * strategy, which the provider adds). Explicit username, password and db win over the URI's.
 *
 * @throws nothing: the config is validated already.
 * @example
 * ```ts
 * const options = nodeRedisOptions(loadEnv(NodeRedisConfig, 'RD_EXAMPLE'));
 * ```
 */
export function nodeRedisOptions(config: NodeRedisConfig): RedisClientOptions {
  const tls = config.tls || config.uri.startsWith('rediss://');
  return {
    url: config.uri,
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(config.db !== undefined ? { database: config.db } : {}),
    ...(config.connectionName ? { name: config.connectionName } : {}),
    ...(config.commandTimeout > 0 ? { commandOptions: { timeout: config.commandTimeout } } : {}),
    socket: {
      connectTimeout: config.connectTimeout,
      ...(tls ? { tls: true as const, rejectUnauthorized: config.tlsRejectUnauthorized, ...(config.tlsCa ? { ca: config.tlsCa } : {}) } : {}),
    },
  };
}

const provider = defineProvider<NodeRedisConfig, NodeRedisClient>({
  provider: 'node-redis',
  peer: 'redis',
  configClass: NodeRedisConfig,
  create: (config, { name, log }) => createNodeRedis(config, name, log),
  start: async (client, { signal, lost }) => {
    await startClient(client, signal);
    const { address } = stateOf(client);
    // 'end': the client is closed for good (once started, its reconnect strategy never gives up,
    // so only the application's code closes it); the provider's own stop clears `started` first
    client.once('end', () => stateOf(client).started && lost(new Error(`redis client ${address} ended: no more reconnections`)));
  },
  healthCheck: (client, { signal }) => abortable(client.ping(), signal, () => undefined),
  stop: (client, { signal }) => stopClient(client, signal),
});

/**
 * The node-redis provider (`redis` 5 or 6, the client Redis recommends for new projects), the
 * same shape as the ioredis one (`bandmaster/providers/redis`): one server from the same
 * variables, connected and answering PING before anything depending on it starts.
 *
 * During start node-redis does not reconnect (the container owns retries); after start it
 * reconnects with backoff (50ms doubling, at most 2s) and logs each outage once. Stop closes
 * gracefully (`close()`: pending replies first); an aborted start or stop destroys the socket.
 *
 * @throws BandmasterError `InvalidDefinition` (at the call) when `redis` is not installed;
 * `InvalidConfig` naming each bad variable (also Sentinel or Cluster settings).
 * @example
 * ```ts
 * container.register(nodeRedis({ name: 'rd-1', env: 'RD_EXAMPLE', retries: 3, backoff: 100 }));
 * // then: constructor(@Inject('rd-1') private readonly redis: NodeRedisClient) {}
 * ```
 */
export function nodeRedis(options: ProviderOptions<NodeRedisConfig>): FactoryDefinition<NodeRedisClient> {
  return provider(options);
}

function createNodeRedis(config: NodeRedisConfig, name: string, log: Logger): NodeRedisClient {
  const { createClient: create } = loadPeer<NodeRedis>('redis', 'node-redis');
  const url = new URL(config.uri);
  const state: ClientState = { name, address: `${url.hostname || '127.0.0.1'}:${url.port || 6379}`, started: false, outage: false, socketUp: false, abandoned: false, landed: Promise.resolve(), land: () => undefined };
  const options = nodeRedisOptions(config);
  const client = create({
    ...options,
    socket: { ...options.socket, reconnectStrategy: (retries: number, cause: Error) => (state.started ? reconnectDelay(retries) : cause) },
  }) as NodeRedisClient;
  // node-redis emits 'error' on every failed (re)connect: without a listener it crashes the process
  client.on('error', (err: unknown) => {
    if (!state.started || state.outage) return;
    state.outage = true;
    log.warn('redis connection lost; node-redis reconnects on its own', { service: name, address: state.address, error: describeCause(err) });
  });
  client.on('ready', () => (state.outage = false));
  client.on('connect', () => {
    state.socketUp = true;
    if (!state.abandoned) return;
    destroy(client);
    // node-redis 6 then rejects connect(); node-redis 5 leaves it pending for good (its handshake
    // waits on a socket that is gone), so the next attempt goes ahead after a grace period
    setTimeout(state.land, LANDED_GRACE_MS).unref();
  });
  const summary = `NodeRedisClient ${state.address}`;
  Object.defineProperty(client, inspect.custom, { value: () => summary });
  states.set(client, state);
  return client;
}

async function startClient(client: NodeRedisClient, signal: AbortSignal): Promise<void> {
  const state = stateOf(client);
  // an abandoned attempt's connect may still be running: the next one starting on the same client
  // now would have its socket torn down by the old one's failure path
  await abortable(state.landed, signal, () => undefined);
  state.socketUp = false;
  state.abandoned = false;
  state.landed = new Promise<void>((resolve) => (state.land = resolve));
  try {
    const connecting = client.connect();
    void connecting.then(state.land, state.land);
    await abortable(
      connecting.then(() => client.ping()),
      signal,
      () => abandon(client, state),
    );
  } catch (err) {
    abandon(client, state);
    throw signal.aborted ? err : unreachable('redis', state.address, err);
  }
  state.started = true;
}

async function stopClient(client: NodeRedisClient, signal: AbortSignal): Promise<void> {
  const state = stateOf(client);
  state.started = false;
  if (!client.isOpen) return;
  if (!client.isReady) {
    // reconnecting: close() would wait for a connection that may never come back
    destroy(client);
    return;
  }
  try {
    await abortable(client.close(), signal, () => destroy(client));
  } catch (err) {
    destroy(client);
    throw err;
  }
}

/**
 * Gives up a start attempt: closes its socket now, or the moment it connects. node-redis 5 and 6
 * lose a `destroy()` that comes while the TCP connect is still in flight (the socket being created
 * is not tracked yet), and then run the handshake on it anyway: against a server that accepts and
 * never answers, that socket stayed open and `connect()` never settled.
 */
function abandon(client: NodeRedisClient, state: ClientState): void {
  state.abandoned = true;
  if (state.socketUp) destroy(client);
}

/** Closes the socket at once, if node-redis has one (a connect still in flight is not closed: see abandon). */
function destroy(client: NodeRedisClient): void {
  try {
    client.destroy();
  } catch {
    // already closed: node-redis throws ClientClosedError
  }
}

function stateOf(client: NodeRedisClient): ClientState {
  const state = states.get(client);
  if (!state) throw new TypeError('not a client created by the node-redis provider');
  return state;
}
