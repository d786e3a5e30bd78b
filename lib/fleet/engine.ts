/** The lock engine of a started lock service: PostgreSQL advisory locks for a `sql` pool, Redis leases for a `redis` client. */
import { BandmasterError } from '../errors';
import type { LockEngine } from './lock';
import type { PgQueryable, PgSession } from './pg-lock';
import type { RedisSession } from './redis-lock';

/** What the engine reads of a pg `Pool`: the client class and options it opens connections with. */
interface PoolLike extends PgQueryable {
  readonly Client: new (options: unknown) => PgSession & { connect(): Promise<unknown> };
  readonly options: unknown;
}

function isPool(client: unknown): client is PoolLike {
  const c = client as Partial<PoolLike> | null;
  return typeof c === 'object' && c !== null && typeof c.Client === 'function' && typeof c.options === 'object' && typeof c.query === 'function';
}

function isRedis(client: unknown): client is RedisSession {
  return typeof client === 'object' && client !== null && typeof (client as Partial<RedisSession>).eval === 'function';
}

/**
 * A lock engine on the lock service's started client. A pg pool gets a DEDICATED connection (an
 * advisory lock lives as long as its session: a pooled connection would hand it to other queries
 * and keep it after a release), opened with the pool's own options on the engine's first take and
 * ended by its `close` (a `once` record already done is read on the pool: no connection at all);
 * a Redis client is shared (the engine only evaluates scripts on it).
 *
 * @throws BandmasterError `InvalidDefinition` when the client is neither.
 */
export function engineFor(service: string, client: unknown, leaseMs: number | undefined): LockEngine {
  // the engines load on first use: an application without exclusive or once services never compiles them
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (isRedis(client)) return new (require('./redis-lock') as typeof import('./redis-lock')).RedisLockEngine({ client, leaseMs });
  if (isPool(client)) {
    const pool = client;
    const open = async (): Promise<PgSession> => {
      const session = new pool.Client(pool.options);
      try {
        await session.connect();
      } catch (err) {
        await session.end().catch(() => undefined);
        throw err;
      }
      return session;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return new (require('./pg-lock') as typeof import('./pg-lock')).PgLockEngine({ session: open, records: pool });
  }
  throw new BandmasterError('InvalidDefinition', { service, detail: `its lock service gave a ${client === null ? 'null' : typeof client}, neither a pg Pool nor an ioredis client: \`lock\` names a sql or redis provider service` });
}
