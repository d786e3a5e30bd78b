import type { Client, ClientConfig, Pool, PoolConfig } from 'pg';
import { describeCause, abortable, defineProvider, loadPeer, networkError } from '../../lib';
import type { Logger } from '../../lib';
import { SqlConfig } from './sql.config';

type Pg = typeof import('pg');

/** What the provider keeps about a pool it built. */
interface PoolState {
  /** `host:port`, for messages. */
  readonly address: string;
  /** Every client the pool created and that has not ended, connecting ones included. */
  readonly clients: Set<Client>;
  ending?: Promise<void>;
  closing: boolean;
  /** Set once started: reports the pool lost (see {@link watchLoss}). */
  lost?: (error: unknown) => void;
}

const states = new WeakMap<Pool, PoolState>();

/** Error codes of a server that cannot be reached, as opposed to one that refused the query. */

/**
 * The PostgreSQL provider: registers a pg `Pool` that the container starts with a `SELECT 1`
 * round trip and stops with `pool.end()`. What `@Inject(name)` gives is the `Pool` itself.
 *
 * Configuration comes from `<env>_URL`, `_HOST`, `_PORT`, `_USER`, `_PASSWORD`, `_DATABASE`,
 * `_SSL`, `_MAX`, `_CONNECT_TIMEOUT`, `_IDLE_TIMEOUT`, `_STATEMENT_TIMEOUT` (see {@link SqlConfig}),
 * then `config`. Each start attempt builds a fresh pool; pg does not retry a failed connect, so
 * the container's `retries` and `backoff` are the only retries during start.
 *
 * @throws BandmasterError `InvalidConfig` naming every bad variable (at once); `InvalidDefinition`
 * when the `pg` package is not installed (at start).
 * @example
 * ```ts
 * container.register(sql({ name: 'sql-1', env: 'SQL_EXAMPLE', retries: 3, backoff: 200 }));
 * const pool = await container.ready<Pool>('sql-1');
 * const { rows } = await pool.query('SELECT now()');
 * ```
 */
export const sql = defineProvider<SqlConfig, Pool>({
  provider: 'sql',
  peer: 'pg',
  configClass: SqlConfig,
  create: (config, { name, log }) => createPool(config, name, log),
  start: async (pool, { signal, lost }) => {
    await startPool(pool, signal);
    stateOf(pool).lost = lost;
  },
  healthCheck: (pool, { signal }) => abortable(pool.query('SELECT 1'), signal, () => undefined),
  stop: (pool, { signal }) => endPool(pool, signal),
  connectDeadline: (config) => ({ ms: config.connectTimeout, address: addressOf(poolConfig(config, 'sql')) }),
});

function createPool(config: SqlConfig, name: string, log: Logger): Pool {
  const pg = loadPeer<Pg>('pg', 'sql');
  const options = poolConfig(config, name);
  const state: PoolState = { address: addressOf(options), clients: new Set(), closing: false };
  // pg-pool keeps clients that are still connecting to itself: tracking them lets an abort
  // destroy a connect in flight instead of waiting for it to finish or time out
  class TrackedClient extends pg.Client {
    constructor(clientConfig?: ClientConfig) {
      super(clientConfig);
      state.clients.add(this);
      this.once('end', () => state.clients.delete(this));
    }
  }
  // the application's code ending the pool closes it for good
  class TrackedPool extends pg.Pool {
    override end(): Promise<void>;
    override end(callback: () => void): void;
    override end(callback?: () => void): Promise<void> | void {
      if (!state.closing) state.lost?.(new Error(`sql pool for ${state.address} ended by the application: closed for good`));
      return callback ? super.end(callback) : super.end();
    }
  }
  const pool = new TrackedPool({ ...options, Client: TrackedClient });
  // pg emits 'error' on the pool when the server drops an idle connection: without a listener
  // that would crash the process; the pool has already discarded the client
  pool.on('error', (err) => {
    if (state.closing) return;
    // pg-pool removed the client before emitting: none left means the server dropped them all
    if (pool.totalCount === 0 && state.lost) {
      state.lost(new Error(`sql pool for ${state.address} has no usable connection left: ${describeCause(err)}`, { cause: err }));
      return;
    }
    log.warn('sql connection lost; the pool opens a new one on the next query', { service: name, address: state.address, error: describeCause(err) });
  });
  states.set(pool, state);
  return pool;
}

async function startPool(pool: Pool, signal: AbortSignal): Promise<void> {
  const state = stateOf(pool);
  try {
    await abortable(pool.query('SELECT 1'), signal, () => teardown(pool, state));
  } catch (err) {
    teardown(pool, state);
    await state.ending;
    throw signal.aborted ? err : failure(state, err);
  }
}

async function endPool(pool: Pool, signal: AbortSignal): Promise<void> {
  const state = stateOf(pool);
  state.closing = true;
  state.ending ??= pool.end().catch(() => undefined);
  // pool.end() waits for clients checked out and never released: an abort closes them by force
  await abortable(state.ending, signal, () => teardown(pool, state));
}

/** Ends the pool and destroys every socket it has, connecting ones included. */
function teardown(pool: Pool, state: PoolState): void {
  state.closing = true;
  state.ending ??= pool.end().catch(() => undefined);
  for (const client of state.clients) {
    // a client checked out by the application may have no 'error' listener: destroying its
    // socket must not crash the process
    client.on('error', () => undefined);
    client.connection.stream.destroy();
  }
}

function stateOf(pool: Pool): PoolState {
  const state = states.get(pool);
  if (!state) throw new TypeError('not a pool built by the sql provider');
  return state;
}

/** The pg options for a config: the URL's parts, replaced by the discrete fields that are set. */
export function poolConfig(config: SqlConfig, name: string): PoolConfig {
  const url = new URL(config.url);
  const decode = (part: string): string | undefined => (part === '' ? undefined : decodeURIComponent(part));
  return {
    host: config.host ?? decode(url.hostname.replace(/^\[(.*)\]$/, '$1')),
    port: config.port ?? (url.port === '' ? 5432 : Number(url.port)),
    user: config.user ?? decode(url.username),
    password: config.password ?? decode(url.password),
    database: config.database ?? decode(url.pathname.slice(1)),
    ssl: config.ssl ?? sslFromMode(url.searchParams.get('sslmode')),
    application_name: config.applicationName ?? url.searchParams.get('application_name') ?? name,
    max: config.max,
    connectionTimeoutMillis: config.connectTimeout,
    idleTimeoutMillis: config.idleTimeout,
    ...(config.statementTimeout > 0 ? { statement_timeout: config.statementTimeout } : {}),
  };
}

/** libpq's sslmode as pg's `ssl`: `require` encrypts without checking the certificate, as libpq does. */
function sslFromMode(mode: string | null): PoolConfig['ssl'] {
  switch (mode) {
    case 'require':
    case 'no-verify':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return true;
    default:
      return false;
  }
}

function addressOf(options: PoolConfig): string {
  const host = options.host ?? 'localhost';
  return `${host.includes(':') ? `[${host}]` : host}:${String(options.port)}`;
}

/** The start failure as an error naming the server (never the password), the pg error as cause. */
function failure(state: PoolState, err: unknown): Error {
  return networkError('sql', state.address, err, { also: ({ message }) => typeof message === 'string' && /^Connection terminated|timeout expired/.test(message) });
}
