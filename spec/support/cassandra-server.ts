/**
 * A single-node Cassandra stand-in that speaks CQL native protocol v4 over TCP, for driver-level tests.
 *
 * It serves the system tables a driver reads while connecting (one node, no peers, empty schema),
 * answers `SELECT ... FROM system.local` health checks, and can be told to misbehave.
 */
import { randomUUID } from 'node:crypto';
import { createServer, isIP, isIPv6, type Server, type Socket } from 'node:net';
import { CqlConnection, type Faults, type ServerContext } from './cassandra/connection';
import { QueryEngine } from './cassandra/query-engine';
import { buildSystemTables } from './cassandra/system-tables';

/** Options for {@link startCassandraTestServer}. */
export interface CassandraTestServerOptions {
  /** Port to listen on; 0 (the default) picks a free ephemeral port. */
  port?: number;
  /** Interface to listen on; defaults to `127.0.0.1`. */
  host?: string;
  /** Data center reported in `system.local`; defaults to `datacenter1`. */
  dataCenter?: string;
  /** Initial faults; see {@link CassandraTestServer.setFaults}. */
  faults?: {
    /** Delays every response frame by this many milliseconds. */
    delayMs?: number;
    /** Answers STARTUP, then destroys the socket on the connection's next request. */
    dropAfterStartup?: boolean;
    /** Every QUERY or EXECUTE whose statement contains this substring gets a server ERROR frame. */
    failQueries?: string;
  };
}

/** A running test server. */
export interface CassandraTestServer {
  /** Host the server listens on. */
  readonly host: string;
  /** Port the server listens on (the real one when an ephemeral port was requested). */
  readonly port: number;
  /** `host:port`, ready for the driver's `contactPoints`. */
  readonly contactPoint: string;
  /** Client sockets currently open. */
  readonly connections: number;
  /** Snapshot of every QUERY and PREPARE statement received, in arrival order. */
  readonly queries: readonly string[];
  /** Replaces the active faults; `undefined` or `{}` restores normal behaviour. Applies to open connections too. */
  setFaults(faults: CassandraTestServerOptions['faults']): void;
  /** Destroys every client socket and stops listening. Safe to call more than once. */
  close(): Promise<void>;
}

function validateOptions(options: CassandraTestServerOptions): void {
  const { port = 0, dataCenter = 'datacenter1', faults = {} } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be an integer between 0 and 65535, got ${port}`);
  }
  if (dataCenter === '') {
    throw new RangeError('dataCenter must not be empty');
  }
  validateFaults(faults);
}

function validateFaults(faults: Faults): void {
  const { delayMs = 0 } = faults;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`faults.delayMs must be a non-negative number, got ${delayMs}`);
  }
}

/** system.local must hold an IP address, and one the client can reach, not a wildcard. */
function advertisedAddress(host: string): string {
  return isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? host : '127.0.0.1';
}

class CassandraTestServerImpl implements CassandraTestServer {
  readonly host: string;
  readonly port: number;
  readonly #server: Server;
  readonly #connections = new Set<CqlConnection>();
  readonly #queries: string[] = [];
  #faults: Faults;
  #closing: Promise<void> | undefined;

  constructor(server: Server, host: string, port: number, faults: Faults) {
    this.#server = server;
    this.host = host;
    this.port = port;
    this.#faults = { ...faults };
  }

  get contactPoint(): string {
    return isIPv6(this.host) ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  get connections(): number {
    return this.#connections.size;
  }

  get queries(): readonly string[] {
    return [...this.#queries];
  }

  setFaults(faults: CassandraTestServerOptions['faults']): void {
    validateFaults(faults ?? {});
    this.#faults = { ...faults };
  }

  context(engine: QueryEngine): ServerContext {
    return {
      engine,
      prepared: new Map(),
      faults: () => this.#faults,
      recordQuery: (query) => this.#queries.push(query),
    };
  }

  accept(socket: Socket, context: ServerContext): void {
    const connection = new CqlConnection(socket, context);
    this.#connections.add(connection);
    socket.once('close', () => this.#connections.delete(connection));
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const listenerClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const sockets = [...this.#connections];
    sockets.forEach((connection) => connection.destroy());
    await Promise.all([listenerClosed, ...sockets.map((connection) => connection.closed)]);
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * Starts a CQL test server and resolves once it is listening.
 *
 * @example
 * const server = await startCassandraTestServer();
 * const client = new Client({ contactPoints: [server.contactPoint], localDataCenter: 'datacenter1' });
 * await client.connect();
 */
export async function startCassandraTestServer(
  options: CassandraTestServerOptions = {},
): Promise<CassandraTestServer> {
  validateOptions(options);
  const { host = '127.0.0.1', dataCenter = 'datacenter1', faults = {} } = options;
  const server = createServer();
  const port = await listen(server, options.port ?? 0, host);
  const instance = new CassandraTestServerImpl(server, host, port, faults);
  const tables = buildSystemTables({
    address: advertisedAddress(host),
    port,
    dataCenter,
    hostId: randomUUID(),
    schemaVersion: randomUUID(),
  });
  const context = instance.context(new QueryEngine(tables));
  server.on('connection', (socket) => instance.accept(socket, context));
  return instance;
}
