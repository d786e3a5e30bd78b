/**
 * PostgreSQL advisory locks on a dedicated connection. A session-level advisory lock is held by the
 * server for as long as the holder's connection lives, and dropped by the server when it dies, so a
 * standby can take over at once. Fencing tokens and `once` records live in two small tables.
 */
import { clampDelay } from '../delay';
import { BandmasterError } from '../errors';
import { HeldLease } from './lease';
import { lockName, type Lease, type LockEngine } from './lock';

/** What the engine needs of a connected `pg.Client` (it owns it: {@link PgLockEngine.close} ends it). */
export interface PgSession {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: 'error' | 'end', listener: (err?: Error) => void): unknown;
  end(): Promise<void>;
}

/** Options of {@link PgLockEngine}. */
export interface PgLockOptions {
  /** A dedicated, connected client: never one from the application's pool. */
  readonly session: PgSession;
  /**
   * How often a held lock checks its connection with a round trip (default 1,000 ms); a round trip
   * slower than twice this marks every lease lost, so a holder cut off from the server stops.
   */
  readonly heartbeatMs?: number;
}

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS bandmaster_lock_tokens (key text PRIMARY KEY, token bigint NOT NULL)',
  'CREATE TABLE IF NOT EXISTS bandmaster_once (key text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now())',
];
// the advisory key: 64 bits of the key's hash, in a namespace of its own
const LOCK_ID = "hashtextextended('bandmaster:' || $1, 0)";

/** Advisory locks, fencing tokens and `once` records on PostgreSQL. */
export class PgLockEngine implements LockEngine {
  readonly #session: PgSession;
  readonly #heartbeatMs: number;
  readonly #held = new Map<string, HeldLease>();
  #schema: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #dead: Error | undefined;

  constructor(options: PgLockOptions) {
    this.#session = options.session;
    this.#heartbeatMs = clampDelay(options.heartbeatMs ?? 1000) || 1000;
    const die = (err?: Error): void => this.#die(err ?? new Error('lock connection ended'));
    this.#session.on('error', die);
    this.#session.on('end', die);
  }

  async tryAcquire(key: string): Promise<Lease | undefined> {
    const name = lockName(key);
    if (this.#held.has(name)) return undefined; // advisory locks are re-entrant per session: ours are not
    this.#alive();
    await this.#ensureSchema();
    const { rows } = await this.#session.query(`SELECT pg_try_advisory_lock(${LOCK_ID}) AS ok`, [name]);
    if (rows[0]?.ok !== true) return undefined;
    try {
      const next = await this.#session.query(
        'INSERT INTO bandmaster_lock_tokens (key, token) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET token = bandmaster_lock_tokens.token + 1 RETURNING token',
        [name],
      );
      const lease = new HeldLease(name, Number(next.rows[0]?.token), () => this.#unlock(name));
      this.#held.set(name, lease);
      this.#beat();
      return lease;
    } catch (err) {
      await this.#session.query(`SELECT pg_advisory_unlock(${LOCK_ID})`, [name]).catch(() => undefined);
      throw err;
    }
  }

  async isDone(key: string): Promise<boolean> {
    await this.#ensureSchema();
    const { rows } = await this.#session.query('SELECT 1 FROM bandmaster_once WHERE key = $1', [lockName(key)]);
    return rows.length > 0;
  }

  async markDone(key: string): Promise<void> {
    await this.#ensureSchema();
    await this.#session.query('INSERT INTO bandmaster_once (key) VALUES ($1) ON CONFLICT (key) DO NOTHING', [lockName(key)]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#held.values()].map((lease) => lease.release()));
    this.#stopBeat();
    if (this.#dead === undefined) {
      this.#dead = new Error('lock engine closed');
      await this.#session.end().catch(() => undefined);
    }
  }

  async #unlock(name: string): Promise<void> {
    this.#held.delete(name);
    if (this.#held.size === 0) this.#stopBeat();
    if (this.#dead !== undefined) return; // the server dropped the lock with the connection
    await this.#session.query(`SELECT pg_advisory_unlock(${LOCK_ID})`, [name]);
  }

  #alive(): void {
    if (this.#dead !== undefined) throw new BandmasterError('InvalidArgument', { detail: `the lock connection is gone (${this.#dead.message}): make a new PgLockEngine` });
  }

  #ensureSchema(): Promise<void> {
    this.#schema ??= (async () => {
      for (const statement of SCHEMA) await createRacing(this.#session, statement);
    })().catch((err: unknown) => {
      this.#schema = undefined;
      throw err;
    });
    return this.#schema;
  }

  #beat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => {
      const late = setTimeout(() => this.#die(new Error(`lock connection did not answer within ${2 * this.#heartbeatMs} ms`)), 2 * this.#heartbeatMs);
      this.#session.query('SELECT 1').then(
        () => clearTimeout(late),
        (err: unknown) => {
          clearTimeout(late);
          this.#die(err instanceof Error ? err : new Error('lock heartbeat failed'));
        },
      );
    }, this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopBeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #die(reason: Error): void {
    if (this.#dead !== undefined) return;
    this.#dead = reason;
    this.#stopBeat();
    for (const lease of this.#held.values()) lease.lose(reason);
    this.#held.clear();
    void this.#session.end().catch(() => undefined);
  }
}

// two replicas creating the same table at once: one wins, the other sees a unique violation
async function createRacing(session: PgSession, statement: string): Promise<void> {
  try {
    await session.query(statement);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P07') throw err;
  }
}
