/**
 * The lock kit behind `exclusive` and `once` services: a {@link LockEngine} takes a named lock on a
 * database the application already runs and hands out a {@link Lease} with a fencing token.
 * Engines: {@link PgLockEngine} (PostgreSQL advisory locks) and {@link RedisLockEngine} (leases).
 */
import { clampDelay } from '../delay';
import { BandmasterError } from '../errors';

/** A held lock. */
export interface Lease {
  /** The user's key, as given to {@link LockEngine.tryAcquire}. */
  readonly key: string;
  /**
   * The fencing token: an integer that grows with every new holder of this key; 0 for a lease
   * taken with `fence: false` (a `once` step, which is given no token, skips the write).
   */
  readonly token: number;
  /**
   * Aborted when the lease can no longer be trusted (connection lost, renewal failed or late): the
   * holder must stop what it guards. Its `reason` says why.
   */
  readonly lost: AbortSignal;
  /** Gives the lock back (idempotent; best effort once `lost` is aborted). */
  release(): Promise<void>;
}

/** A lock service on one database connection. */
export interface LockEngine {
  /** Takes `key` if nobody holds it; `undefined` when another holder has it. */
  tryAcquire(key: string, options?: Pick<AcquireOptions, 'fence'>): Promise<Lease | undefined>;
  /** Whether the `once` record for `key` exists. */
  isDone(key: string): Promise<boolean>;
  /** Writes the `once` record for `key` (while holding its lease). */
  markDone(key: string): Promise<void>;
  /** Releases every lease and closes what the engine opened. */
  close(): Promise<void>;
}

/** Options of {@link acquire}. */
export interface AcquireOptions {
  /** Stops waiting: {@link acquire} rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** How often to try again while another holder has the lock (default 100 ms). */
  readonly pollMs?: number;
  /** Called once when the first try finds the lock taken (the service goes to standby). */
  readonly onWait?: () => void;
  /** Whether the lease gets a fencing token (default true; one durable write per take). */
  readonly fence?: boolean;
}

/** Waits until `key` is taken by this engine, polling; abortable. */
export async function acquire(engine: LockEngine, key: string, options: AcquireOptions = {}): Promise<Lease> {
  const { signal, pollMs = 100, onWait, fence } = options;
  let waited = false;
  for (;;) {
    signal?.throwIfAborted();
    const lease = await engine.tryAcquire(key, { fence });
    if (lease !== undefined) {
      if (signal?.aborted) {
        await lease.release();
        signal.throwIfAborted();
      }
      return lease;
    }
    if (!waited) {
      waited = true;
      onWait?.();
    }
    await sleep(pollMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, clampDelay(ms));
    const abort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** A lock key as a name for the database: printable, bounded, the user's key recognisable. */
export function lockName(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    const got = typeof key === 'string' ? `${key.length} characters` : typeof key;
    throw new BandmasterError('InvalidArgument', { detail: `a lock key must be a non-empty string of at most 200 characters (got ${got})` });
  }
  return key;
}
