import type { Client, Server } from 'memjs';
import type { Socket } from 'node:net';
import { describeCause, abortable, defineProvider, isNetworkError, loadPeer, unreachable } from '../../lib';
import { MemcachedConfig } from './memcached.config';

/** What the memcached provider injects: a memjs `Client` over every configured server. */
export type MemcachedClient = Client;

interface MemjsModule {
  readonly Client: typeof Client;
  readonly Server: typeof Server;
}

const DEFAULT_PORT = 11211;
/** memjs logs what it also reports to callbacks; the container reports those. */
const SILENT = { log: (): void => undefined };

/**
 * The memcached provider: registers a memjs client whose every server answered a `stats` round
 * trip before anything depending on it starts.
 *
 * memjs connects lazily, on the first request; the start's `stats` request is not retried by
 * memjs, so a dead server fails the attempt within `connTimeout` + `timeout` and the container's
 * `retries`/`backoff` decide what comes next. Stop closes every connection and waits until each
 * socket is closed.
 *
 * @throws BandmasterError `InvalidConfig` (at the call) naming each bad variable.
 * @example
 * ```ts
 * container.register(memcached({ name: 'mc-1', env: 'MC_EXAMPLE', dependsOn: ['rd-1'] }));
 * // then: constructor(@Inject('mc-1') private readonly cache: MemcachedClient) {}
 * ```
 */
export const memcached = defineProvider<MemcachedConfig, MemcachedClient>({
  provider: 'memcached',
  peer: 'memjs',
  configClass: MemcachedConfig,
  create: (config) => createClient(config),
  start: (client, { signal }) => startClient(client, signal),
  healthCheck: (client, { signal }) => abortable(statsEveryServer(client), signal, () => undefined),
  stop: (client, { signal }) => stopClient(client, signal),
  connectDeadline: (config) => ({ ms: config.connTimeout + config.timeout, address: config.servers.map((s) => display(parseServer(s) as unknown as Server)).join(', ') }),
});

function createClient(config: MemcachedConfig): MemcachedClient {
  const memjs = loadPeer<MemjsModule>('memjs', 'memcached');
  const serverOptions = {
    timeout: config.timeout / 1_000,
    conntimeout: config.connTimeout / 1_000,
    keepAlive: config.keepAlive,
  };
  const servers = config.servers.map((entry) => {
    const { host, port, username, password } = parseServer(entry);
    // memjs falls back to MEMCACHIER_*/MEMCACHE_* variables for falsy credentials: that is its documented behaviour
    return new memjs.Server(host, port, username || config.username || undefined, password || config.password || undefined, serverOptions);
  });
  return new memjs.Client(servers, {
    failover: config.failover,
    failoverTime: config.failoverTime / 1_000,
    expires: Math.ceil(config.expires / 1_000),
    logger: SILENT,
  });
}

async function startClient(client: MemcachedClient, signal: AbortSignal): Promise<void> {
  const probe = statsEveryServer(client);
  // memjs drops a socket that timed out connecting without destroying it: hold each one to close it
  const held = client.servers.flatMap((server) => {
    const socket = socketOf(server);
    return socket ? [{ server, socket }] : [];
  });
  // memjs never fails a request whose connection the server closed cleanly: it would wait forever
  const unwatch = held.map(({ server, socket }) => {
    const onClose = (hadError: boolean): void => {
      if (!hadError) server.error(new Error('connection closed by the server before it answered'));
    };
    socket.once('close', onClose);
    return () => socket.off('close', onClose);
  });
  try {
    await abortable(probe, signal, () => undefined);
  } catch (err) {
    for (const socket of [...held.map((h) => h.socket), ...client.servers.map(socketOf)]) socket?.destroy();
    throw signal.aborted ? signal.reason : err;
  } finally {
    for (const off of unwatch) off();
  }
}

async function stopClient(client: MemcachedClient, signal: AbortSignal): Promise<void> {
  const sockets = client.servers.map(socketOf).filter((s): s is Socket => s !== undefined && !s.destroyed);
  const closed = Promise.all(sockets.map((s) => new Promise((resolve) => s.once('close', resolve))));
  client.close();
  // end() on a socket still connecting waits for the connection: a dead server would hold the stop
  for (const socket of sockets) if (socket.connecting) socket.destroy();
  await abortable(closed, signal, () => {
    for (const socket of sockets) socket.destroy();
  });
}

/** One `stats` round trip to every server; rejects naming each server that failed. */
function statsEveryServer(client: MemcachedClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const pending = new Set(client.servers.map((s) => `${s.host}:${s.port}`));
    const failures: { server: Server; error: unknown }[] = [];
    client.stats((err, key) => {
      // memjs may call back twice for one server (an error status, then the end of the reply)
      if (!pending.delete(key)) return;
      const server = client.servers.find((s) => `${s.host}:${s.port}` === key);
      if (err && server) failures.push({ server, error: err });
      if (pending.size > 0) return;
      if (failures.length === 0) resolve();
      else reject(failure(failures));
    });
  });
}

/** memjs keeps its connection private; reading it is the only way to wait for, or force, its close. */
function socketOf(server: Server): Socket | undefined {
  return (server as unknown as { _socket?: Socket })._socket;
}

function parseServer(entry: string): { host: string; port: number; username: string; password: string } {
  const at = entry.lastIndexOf('@');
  const credentials = at >= 0 ? entry.slice(0, at) : '';
  const address = entry.slice(at + 1);
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(address);
  const colon = credentials.indexOf(':');
  return {
    host: match?.[1] ?? match?.[2] ?? address,
    port: match?.[3] ? Number(match[3]) : DEFAULT_PORT,
    username: colon >= 0 ? credentials.slice(0, colon) : credentials,
    password: colon >= 0 ? credentials.slice(colon + 1) : '',
  };
}

function display(server: Server): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function failure(failures: readonly { server: Server; error: unknown }[]): Error {
  const address = failures.map((f) => display(f.server)).join(', ');
  const errors = failures.map((f) => (f.error instanceof Error ? f.error : new Error(describeCause(f.error))));
  const cause = errors.length === 1 ? errors[0]! : new AggregateError(errors, '');
  const network = errors.every((e) => isNetworkError(e, ({ message }) => typeof message === 'string' && /timed out/.test(message)));
  if (network) return unreachable('memcached', address, cause);
  return new Error(`memcached at ${address}: ${describeCause(cause)}`, { cause });
}
