/**
 * Redis leases: `SET NX PX` with a random owner id, renewed every third of the lease, released by
 * compare-and-delete, with a fencing token from `INCR`. The holder trusts its lease only until the
 * moment the server may have let it expire (measured from when the last successful acquire or
 * renewal was *sent*, minus a clock-drift margin, as Redlock does), so it stops before a standby
 * can take over. Redis is not a consensus system: see docs/fleet.md for what this does and does not
 * guarantee.
 */
import { clampDelay } from '../delay';
import { HeldLease } from './lease';
import { lockName, type AcquireOptions, type Lease, type LockEngine } from './lock';

/** What the engine needs of an ioredis client (it does not close it). */
export interface RedisSession {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of {@link RedisLockEngine}. */
export interface RedisLockOptions {
  readonly client: RedisSession;
  /** How long a lease lasts without renewal (default 15,000 ms); renewed every third of it. */
  readonly leaseMs?: number;
}

const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end return false`;
const ACQUIRE_UNFENCED = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end return false`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const DONE = `return redis.call('EXISTS', KEYS[1])`;
const MARK = `return redis.call('SET', KEYS[1], ARGV[1])`;

const keys = (name: string): { lock: string; fence: string; once: string } => ({
  lock: `bandmaster:lock:${name}`,
  fence: `bandmaster:fence:${name}`,
  once: `bandmaster:once:${name}`,
});

/** Leases, fencing tokens and `once` records on Redis. */
export class RedisLockEngine implements LockEngine {
  readonly #client: RedisSession;
  readonly #leaseMs: number;
  readonly #held = new Map<string, HeldLease>();

  constructor(options: RedisLockOptions) {
    this.#client = options.client;
    this.#leaseMs = Math.max(30, clampDelay(options.leaseMs ?? 15_000));
  }

  /** The lease length in milliseconds. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  async tryAcquire(key: string, options: Pick<AcquireOptions, 'fence'> = {}): Promise<Lease | undefined> {
    const name = lockName(key);
    if (this.#held.has(name)) return undefined;
    // the Web Crypto global loads node:crypto on first use: importing bandmaster does not
    const owner = globalThis.crypto.randomUUID();
    const { lock, fence } = keys(name);
    const sentAt = performance.now();
    const token = await this.#client.eval(options.fence === false ? ACQUIRE_UNFENCED : ACQUIRE, 2, lock, fence, owner, this.#leaseMs);
    if (token === null || token === false || token === undefined) return undefined;
    const lease = new HeldLease(name, Number(token), async () => {
      keeper.stop();
      this.#held.delete(name);
      await this.#client.eval(RELEASE, 1, lock, owner);
    });
    const keeper = new Keeper({ client: this.#client, lease, lock, owner, leaseMs: this.#leaseMs, sentAt });
    this.#held.set(name, lease);
    lease.lost.addEventListener('abort', () => this.#held.delete(name), { once: true });
    return lease;
  }

  async isDone(key: string): Promise<boolean> {
    return Number(await this.#client.eval(DONE, 1, keys(lockName(key)).once)) === 1;
  }

  async markDone(key: string): Promise<void> {
    await this.#client.eval(MARK, 1, keys(lockName(key)).once, new Date().toISOString());
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#held.values()].map((lease) => lease.release()));
  }
}

interface KeeperOptions {
  readonly client: RedisSession;
  readonly lease: HeldLease;
  readonly lock: string;
  readonly owner: string;
  readonly leaseMs: number;
  readonly sentAt: number;
}

/** Renews one lease and marks it lost when renewal fails or can no longer arrive in time. */
class Keeper {
  readonly #o: KeeperOptions;
  readonly #renew: NodeJS.Timeout;
  #expiry: NodeJS.Timeout | undefined;
  #inFlight = false;

  constructor(options: KeeperOptions) {
    this.#o = options;
    this.#trustUntil(options.sentAt);
    this.#renew = setInterval(() => this.#tick(), Math.max(10, Math.floor(options.leaseMs / 3)));
    this.#renew.unref();
  }

  stop(): void {
    clearInterval(this.#renew);
    clearTimeout(this.#expiry);
  }

  // validity = lease - margin, counted from when the command was sent; the margin (a tenth of the
  // lease, at least Redlock's 1% + 2 ms for clock drift) also absorbs a late timer on a busy event loop
  #trustUntil(sentAt: number): void {
    clearTimeout(this.#expiry);
    const validity = this.#o.leaseMs - Math.max(Math.ceil(this.#o.leaseMs * 0.1), Math.ceil(this.#o.leaseMs * 0.01) + 2);
    const left = sentAt + validity - performance.now();
    this.#expiry = setTimeout(() => this.#lose(new Error(`lease not renewed within ${this.#o.leaseMs} ms`)), clampDelay(left));
    this.#expiry.unref();
  }

  #tick(): void {
    if (this.#inFlight) return; // a slow renewal is not doubled; the expiry timer decides
    this.#inFlight = true;
    const sentAt = performance.now();
    const { client, lock, owner, leaseMs } = this.#o;
    client.eval(RENEW, 1, lock, owner, leaseMs).then(
      (renewed) => {
        this.#inFlight = false;
        if (Number(renewed) === 1) this.#trustUntil(sentAt);
        else this.#lose(new Error('lease taken over or expired before renewal'));
      },
      () => {
        this.#inFlight = false; // try again at the next tick while the lease is still trusted
      },
    );
  }

  #lose(reason: Error): void {
    this.stop();
    this.#o.lease.lose(reason);
  }
}
