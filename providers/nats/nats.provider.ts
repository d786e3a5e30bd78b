import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Authenticator, ConnectionOptions, NatsConnection, TlsOptions } from 'nats';
import { BandmasterError, describeCause, describeValue, abortable, defineProvider, isNetworkError, loadPeer, unreachable } from '../../lib';
import type { FactoryDefinition, ProviderOptions } from '../../lib';
import { NatsConfig, parseServer, type NatsServer } from './nats.config';

type Nats = typeof import('nats');

/** Error codes (nats' and the system's) of servers that cannot be reached, as opposed to refusing us. */
const UNREACHABLE_CODES = new Set([
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  'TIMEOUT',
  'DISCONNECT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/** Connections currently cut from every server (the client is reconnecting): nothing to drain to. */
const offline = new WeakSet<NatsConnection>();

/**
 * The NATS provider: registers a `NatsConnection` that the container connects and checks with a
 * flush round trip (PING/PONG) at start, and drains at stop. What `@Inject(name)` gives is the
 * `NatsConnection` itself.
 *
 * Configuration comes from `<env>_SERVERS`, `_USER`, `_PASSWORD`, `_TOKEN`, `_NKEY_SEED`,
 * `_CREDS_FILE`, `_NAME`, `_TLS`, `_TLS_CA_FILE`, `_TLS_CERT_FILE`, `_TLS_KEY_FILE`, `_TIMEOUT`,
 * `_MAX_RECONNECT_ATTEMPTS`, `_RECONNECT_TIME_WAIT` (see {@link NatsConfig}), then `config`.
 *
 * During start, each attempt tries every server once (`waitOnFirstConnect` off), each within
 * `timeout`: the container's `retries` and `backoff` are the only retries. Once started, the
 * client reconnects on its own (`maxReconnectAttempts`, `reconnectTimeWait`).
 *
 * The client library is nats.js v2 (`nats`) or v3 (`@nats-io/transport-node`): what is installed,
 * or `client` (see {@link NatsProviderOptions}). Both inject a connection with the same methods;
 * type it with the library you chose.
 *
 * @throws BandmasterError `InvalidConfig` naming every bad variable (at once); `InvalidDefinition`
 * when the client package is not installed; `InvalidArgument` for an unknown `client`.
 * @example
 * ```ts
 * container.register(nats({ name: 'nts-1', env: 'NATS_EXAMPLE', retries: 3, backoff: 200 }));
 * const nc = await container.ready<NatsConnection>('nts-1');
 * nc.publish('greetings', 'hello');
 * ```
 */
export function nats(options: NatsProviderOptions): FactoryDefinition<NatsConnection> {
  const { client, ...rest } = options;
  return providerFor(client ?? installedNatsClient())(rest);
}

/** The client libraries the nats provider drives: nats.js v2 (`nats`) and v3 (`@nats-io/transport-node`). */
export const NATS_CLIENTS = ['nats', '@nats-io/transport-node'] as const;
/** A client library the nats provider drives, by package name. */
export type NatsClientPackage = (typeof NATS_CLIENTS)[number];

/** Options of {@link nats}: the provider options, and which client library to use. */
export interface NatsProviderOptions extends ProviderOptions<NatsConfig> {
  /**
   * The client library: `'nats'` (v2) or `'@nats-io/transport-node'` (v3, whose JetStream is
   * `@nats-io/jetstream`). Default: `nats` when it is installed, else `@nats-io/transport-node`.
   */
  readonly client?: NatsClientPackage;
}

/**
 * The client library the nats provider uses when none is named: `nats` (v2) when installed, else
 * `@nats-io/transport-node` (v3), else `nats` (whose absence is then reported at registration).
 */
export function installedNatsClient(resolve: (pkg: string) => string = require.resolve): NatsClientPackage {
  for (const pkg of NATS_CLIENTS) {
    try {
      resolve(pkg);
      return pkg;
    } catch {
      // not installed: try the next one
    }
  }
  return 'nats';
}

const providers = new Map<NatsClientPackage, (options: ProviderOptions<NatsConfig>) => FactoryDefinition<NatsConnection>>();

function providerFor(pkg: NatsClientPackage): (options: ProviderOptions<NatsConfig>) => FactoryDefinition<NatsConnection> {
  let provider = providers.get(pkg);
  if (provider === undefined) {
    if (!NATS_CLIENTS.includes(pkg)) {
      throw new BandmasterError('InvalidArgument', { service: 'nats', detail: `client must be one of ${NATS_CLIENTS.join(', ')}, got ${describeValue(pkg)}` });
    }
    provider = defineProvider<NatsConfig, NatsConnection>({
      provider: 'nats',
      peer: pkg,
      configClass: NatsConfig,
      connect: (config, { name, signal }) => connectNats(pkg, config, name, signal),
      start: async (nc, { signal, lost }) => {
        await flushOrClose(nc, signal);
        // closed() resolves once the connection is closed for good (reconnects exhausted, or closed by the user's code)
        void nc.closed().then((err) => lost(err ?? new Error(`nats connection to ${nc.getServer()} closed`)));
      },
      healthCheck: async (nc, { signal }) => {
        if (nc.isClosed()) throw new Error('nats connection is closed');
        await abortable(nc.flush(), signal, () => undefined);
      },
      stop: (nc, { signal }) => drainNats(nc, signal),
      connectDeadline: (config) => ({ ms: config.timeout, address: config.servers.map((s) => parseServer(s).address).join(', ') }),
    });
    providers.set(pkg, provider);
  }
  return provider;
}

async function connectNats(pkg: NatsClientPackage, config: NatsConfig, name: string, signal: AbortSignal): Promise<NatsConnection> {
  // v3's connect, authenticators and connection have v2's names and shapes
  const lib = loadPeer<Nats>(pkg, 'nats');
  const servers = config.servers.map(parseServer);
  signal.throwIfAborted();
  let nc: NatsConnection;
  try {
    nc = await withSocketCleanup(() => lib.connect(connectionOptions(lib, config, name)), signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw failure(servers.map((s) => s.address).join(', '), err);
  }
  if (signal.aborted) {
    // connected just as the attempt was given up on: nobody will use or stop this connection
    await nc.close().catch(() => undefined);
    throw signal.reason;
  }
  watchConnectivity(nc);
  return nc;
}

/** The sockets a connect opens, while it runs. */
interface SocketScope {
  readonly sockets: Socket[];
  open: boolean;
}

const connectScope = new AsyncLocalStorage<SocketScope>();
let watchingSockets = false;

/**
 * Runs a nats connect and destroys the sockets it leaves behind. When a server accepts TCP but
 * never completes the handshake, nats gives up after `timeout` yet leaves that socket open (its
 * transport only closes sockets it saw connect), keeping the process alive.
 */
async function withSocketCleanup<T>(connect: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (!watchingSockets) {
    // published synchronously inside net.connect(), so the caller's async context is current
    subscribe('net.client.socket', (message) => {
      const scope = connectScope.getStore();
      if (scope?.open) scope.sockets.push((message as { socket: Socket }).socket);
    });
    watchingSockets = true;
  }
  const scope: SocketScope = { sockets: [], open: true };
  // an abort cuts the dial in flight: nats then fails the connect at once instead of at its timeout
  const cut = (): void => {
    for (const socket of scope.sockets) socket.destroy();
  };
  signal.addEventListener('abort', cut, { once: true });
  try {
    const client = await connectScope.run(scope, connect);
    // servers are dialled one after the other: the last socket is the live connection
    for (const socket of scope.sockets.slice(0, -1)) socket.destroy();
    return client;
  } catch (err) {
    for (const socket of scope.sockets) socket.destroy();
    throw err;
  } finally {
    signal.removeEventListener('abort', cut);
    // reconnects later run in this async context too: they are the client's, not ours
    scope.open = false;
    scope.sockets.length = 0;
  }
}

/** The round trip that proves the server answers; a connection that fails it is closed. */
async function flushOrClose(nc: NatsConnection, signal: AbortSignal): Promise<void> {
  try {
    await abortable(nc.flush(), signal, () => void nc.close());
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw signal.aborted ? err : failure(nc.getServer(), err);
  }
}

/** Drains (subscriptions finish what they hold, publications are flushed), then waits for closed(). */
async function drainNats(nc: NatsConnection, signal: AbortSignal): Promise<void> {
  if (!nc.isClosed()) {
    // while disconnected a drain would wait for a reconnect that may never come
    const closing = nc.isDraining() ? nc.closed() : offline.has(nc) ? nc.close() : nc.drain();
    try {
      await abortable(closing, signal, () => void nc.close());
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }
  await nc.closed();
}

function watchConnectivity(nc: NatsConnection): void {
  const statuses = nc.status();
  // the client does not end status iterators when it closes
  void nc.closed().then(() => (statuses as Partial<{ stop(): void }>).stop?.());
  void (async () => {
    for await (const status of statuses) {
      if (status.type === 'disconnect') offline.add(nc);
      else if (status.type === 'reconnect') offline.delete(nc);
    }
  })().catch(() => undefined);
}

/**
 * The nats client options for a config. Credentials go through authenticators, so the options
 * object carries no secret in a field a log could print; a `.creds` file is read here.
 */
export function connectionOptions(lib: Pick<Nats, 'usernamePasswordAuthenticator' | 'tokenAuthenticator' | 'nkeyAuthenticator' | 'credsAuthenticator'>, config: NatsConfig, name: string): ConnectionOptions {
  const servers = config.servers.map(parseServer);
  const fromUrl = servers.find((s) => s.user !== undefined || s.token !== undefined);
  const user = config.user ?? fromUrl?.user;
  const token = config.token ?? fromUrl?.token;
  const authenticator: Authenticator[] = [];
  if (user !== undefined) authenticator.push(lib.usernamePasswordAuthenticator(user, config.password ?? fromUrl?.password));
  if (token !== undefined) authenticator.push(lib.tokenAuthenticator(token));
  if (config.nkeySeed !== undefined) authenticator.push(lib.nkeyAuthenticator(new TextEncoder().encode(config.nkeySeed)));
  if (config.credsFile !== undefined) authenticator.push(lib.credsAuthenticator(readFileSync(config.credsFile)));
  const tls = tlsOptions(config, servers);
  return {
    servers: servers.map((s) => s.address),
    name: config.name ?? name,
    timeout: config.timeout,
    // a failed first connect tries each server once, then fails: the container owns start retries
    waitOnFirstConnect: false,
    reconnect: true,
    maxReconnectAttempts: config.maxReconnectAttempts,
    reconnectTimeWait: config.reconnectTimeWait,
    ...(tls === undefined ? {} : { tls }),
    ...(authenticator.length > 0 ? { authenticator } : {}),
  };
}

/** `null` refuses TLS, an object requires it, undefined lets the client follow the server. */
function tlsOptions(config: NatsConfig, servers: readonly NatsServer[]): TlsOptions | null | undefined {
  const files: TlsOptions = {};
  if (config.tlsCaFile !== undefined) files.caFile = config.tlsCaFile;
  if (config.tlsCertFile !== undefined) files.certFile = config.tlsCertFile;
  if (config.tlsKeyFile !== undefined) files.keyFile = config.tlsKeyFile;
  const wanted = config.tls ?? (servers.some((s) => s.tls) || Object.keys(files).length > 0 ? true : undefined);
  if (wanted === undefined) return undefined;
  return wanted ? files : null;
}

/** A start failure as an error naming the servers by host and port, the client's error as cause. */
function failure(address: string, err: unknown): Error {
  if (isUnreachable(err)) return unreachable('nats', address, err);
  return new Error(`nats at ${address}: ${describeCause(err)}`, { cause: err });
}

function isUnreachable(err: unknown): boolean {
  return isNetworkError(err, ({ code }) => typeof code === 'string' && UNREACHABLE_CODES.has(code));
}
