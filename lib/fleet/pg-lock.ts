/**
 * PostgreSQL advisory locks on a dedicated connection. A session-level advisory lock is held by the
 * server for as long as the holder's connection lives, and dropped by the server when it dies, so a
 * standby can take over at once. Fencing tokens and `once` records live in two small tables, made
 * the first time a statement finds one missing (never checked on the way of a boot).
 */
import { clampDelay } from '../delay';
import { BandmasterError } from '../errors';
import { HeldLease } from './lease';
import { lockName, type AcquireOptions, type Lease, type LockEngine } from './lock';

/** Something that runs a query: a pg `Client` or `Pool`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What the engine needs of a connected `pg.Client` (it owns it: {@link PgLockEngine.close} ends it). */
export interface PgSession extends PgQueryable {
  on(event: 'error' | 'end', listener: (err?: Error) => void): unknown;
  end(): Promise<void>;
}

/** Options of {@link PgLockEngine}. */
export interface PgLockOptions {
  /**
   * A dedicated, connected client (never one from the application's pool), or a function that
   * opens one: it is called on the first take, so an engine that only finds a `once` record done
   * never opens a connection.
   */
  readonly session: PgSession | (() => Promise<PgSession>);
  /**
   * Where {@link PgLockEngine.isDone} reads `once` records while the dedicated connection is not
   * open yet (the application's pool); default the dedicated connection.
   */
  readonly records?: PgQueryable;
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
const LOCK_ID = "hashtextextended('bandmaster:' || $1::text, 0)";
// one round trip: the lock, then (only if taken) the next token, committed before the lease exists;
// the CTE calls a volatile function, so PostgreSQL evaluates it exactly once
const TAKE_FENCED = `WITH l AS (SELECT pg_try_advisory_lock(${LOCK_ID}) AS ok)
INSERT INTO bandmaster_lock_tokens AS t (key, token) SELECT $1::text, 1 FROM l WHERE l.ok
ON CONFLICT (key) DO UPDATE SET token = t.token + 1 RETURNING token`;
const TAKE = `SELECT pg_try_advisory_lock(${LOCK_ID}) AS ok`;
const UNDEFINED_TABLE = '42P01';
/** How long {@link PgLockEngine.close} waits for its unlocks and the connection's end. */
const END_MS = 2_000;

/** Advisory locks, fencing tokens and `once` records on PostgreSQL. */
export class PgLockEngine implements LockEngine {
  readonly #open: () => Promise<PgSession>;
  readonly #records: PgQueryable | undefined;
  readonly #heartbeatMs: number;
  readonly #held = new Map<string, HeldLease>();
  /** Unlocks on their way to the server: a close waits for them before it ends the connection. */
  readonly #unlocking = new Set<Promise<unknown>>();
  #session: Promise<PgSession> | undefined;
  #live: PgSession | undefined;
  #schema: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #dead: Error | undefined;

  constructor(options: PgLockOptions) {
    const given = options.session;
    this.#open = typeof given === 'function' ? given : () => Promise.resolve(given);
    this.#records = options.records;
    this.#heartbeatMs = clampDelay(options.heartbeatMs ?? 1000) || 1000;
    if (typeof given !== 'function') void this.#connected();
  }

  async tryAcquire(key: string, options: Pick<AcquireOptions, 'fence'> = {}): Promise<Lease | undefined> {
    const name = lockName(key);
    if (this.#held.has(name)) return undefined; // advisory locks are re-entrant per session: ours are not
    const session = await this.#connected();
    const fence = options.fence !== false;
    let token = 0;
    try {
      if (fence) {
        const { rows } = await this.#withTables(() => session.query(TAKE_FENCED, [name]));
        if (rows.length === 0) return undefined;
        token = Number(rows[0]?.token);
      } else {
        const { rows } = await session.query(TAKE, [name]);
        if (rows[0]?.ok !== true) return undefined;
      }
    } catch (err) {
      // the lock may have been taken before the statement failed (a session lock outlives its statement)
      await session.query(`SELECT pg_advisory_unlock(${LOCK_ID})`, [name]).catch(() => undefined);
      throw err;
    }
    if (this.#dead !== undefined) return undefined; // the connection died while the statement ran
    const lease = new HeldLease(name, token, () => this.#unlock(name));
    this.#held.set(name, lease);
    this.#beat();
    return lease;
  }

  async isDone(key: string): Promise<boolean> {
    const name = lockName(key);
    const on = this.#live ?? this.#records ?? (await this.#connected());
    try {
      return (await on.query('SELECT 1 FROM bandmaster_once WHERE key = $1', [name])).rows.length > 0;
    } catch (err) {
      if ((err as { code?: unknown }).code === UNDEFINED_TABLE) return false; // no table yet: no record
      throw err;
    }
  }

  async markDone(key: string): Promise<void> {
    const name = lockName(key);
    const session = await this.#connected();
    await this.#withTables(() => session.query('INSERT INTO bandmaster_once (key) VALUES ($1) ON CONFLICT (key) DO NOTHING', [name]));
  }

  async close(): Promise<void> {
    // unlocks and the end wait for the server: behind a silent network they would wait for TCP to
    // give up, so the close has a deadline (the server drops what is left with the session)
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, END_MS)).unref());
    try {
      const releases = Promise.allSettled([...this.#held.values()].map((lease) => lease.release()));
      await Promise.race([releases.then(() => Promise.allSettled(this.#unlocking)), late]);
      this.#stopBeat();
      if (this.#dead !== undefined) return;
      this.#dead = new Error('lock engine closed');
      const session = await this.#session?.catch(() => undefined);
      if (session !== undefined) await Promise.race([session.end().catch(() => undefined), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The dedicated connection, opened on first use; a failed open is tried again on the next call. */
  #connected(): Promise<PgSession> {
    this.#alive();
    this.#session ??= this.#open().then(
      (session) => {
        const die = (err?: Error): void => this.#die(err ?? new Error('lock connection ended'));
        session.on('error', die);
        session.on('end', die);
        this.#live = session;
        if (this.#dead !== undefined) void session.end().catch(() => undefined); // closed while it opened
        return session;
      },
      (err: unknown) => {
        this.#session = undefined;
        throw err;
      },
    );
    return this.#session;
  }

  async #unlock(name: string): Promise<void> {
    this.#held.delete(name);
    if (this.#held.size === 0) this.#stopBeat();
    if (this.#dead !== undefined || this.#live === undefined) return; // the server dropped the lock with the connection
    const unlocking = this.#live.query(`SELECT pg_advisory_unlock(${LOCK_ID})`, [name]);
    this.#unlocking.add(unlocking);
    try {
      await unlocking;
    } finally {
      this.#unlocking.delete(unlocking);
    }
  }

  #alive(): void {
    if (this.#dead !== undefined) throw new BandmasterError('InvalidArgument', { detail: `the lock connection is gone (${this.#dead.message}): make a new PgLockEngine` });
  }

  /** Runs `statement`; if a table is missing, makes both and runs it again. */
  async #withTables<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNDEFINED_TABLE) throw err;
    }
    this.#schema ??= (async () => {
      const session = await this.#connected();
      for (const create of SCHEMA) await createRacing(session, create);
    })().finally(() => (this.#schema = undefined));
    await this.#schema;
    return statement();
  }

  #beat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => {
      const session = this.#live;
      if (session === undefined) return;
      const late = setTimeout(() => this.#die(new Error(`lock connection did not answer within ${2 * this.#heartbeatMs} ms`)), 2 * this.#heartbeatMs);
      session.query('SELECT 1').then(
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
    void this.#live?.end().catch(() => undefined);
  }
}

// two replicas creating the same table at once: one wins, the other sees a unique violation
async function createRacing(session: PgQueryable, statement: string): Promise<void> {
  try {
    await session.query(statement);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P07') throw err;
  }
}
