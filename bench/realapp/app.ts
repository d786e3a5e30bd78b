// The real application of the `app` case: four clients of this machine's servers (Redis,
// PostgreSQL, NATS, memcached) and 40 application services over them. Every contestant runs the
// same services with the same client libraries; only who schedules them differs.
import { createConnection } from 'node:net';
import { seededRandom } from '../graph';

/** The four clients, by the name every contestant registers them under. */
export const CLIENTS = ['redis', 'pg', 'nats', 'memcached'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** Where each client connects: the servers `bash spec/support/services.sh` starts. */
export const SERVERS: Readonly<Record<ClientName, { readonly host: string; readonly port: number }>> = {
  redis: { host: '127.0.0.1', port: 6379 },
  pg: { host: '127.0.0.1', port: 5432 },
  nats: { host: '127.0.0.1', port: 4222 },
  memcached: { host: '127.0.0.1', port: 11211 },
};

/** One application service: what it depends on (clients or earlier services), how long its init takes. */
export interface AppService {
  readonly name: string;
  /** Node indices: 0-3 are the clients, in {@link CLIENTS} order; 4 + k is service k. */
  readonly deps: readonly number[];
  readonly initMs: number;
  /** Its start runs one query on the pg pool (then pg is among its dependencies). */
  readonly query: boolean;
}

/** The application: 40 services of 1-3 dependencies each, 1-5 ms of init, a pg query in some (17 with seed 21). */
export interface App {
  readonly services: readonly AppService[];
  /** Every node's name: the clients, then the services. */
  readonly names: readonly string[];
}

const PG = 1;

/** The seeded application (seed 21): the same on every machine. */
export function makeApp(size = 40, seed = 21): App {
  const random = seededRandom(seed);
  const services: AppService[] = [];
  const names: string[] = [...CLIENTS];
  for (let k = 0; k < size; k++) {
    const node = CLIENTS.length + k;
    const want = 1 + Math.floor(random() * 3);
    const picked = new Set<number>();
    while (picked.size < want) picked.add(Math.floor(random() * node));
    const query = random() < 0.35;
    if (query && !picked.has(PG)) {
      if (picked.size === 3) picked.delete([...picked][0]!);
      picked.add(PG);
    }
    const name = `svc-${k}`;
    services.push({ name, deps: [...picked], initMs: 1 + Math.floor(random() * 5), query });
    names.push(name);
  }
  return { services, names };
}

/** The pool surface a service uses. */
export interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** An application service's instance: its index and what it was given. */
export interface AppInstance {
  readonly index: number;
  readonly deps: readonly unknown[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A service's start: `initMs` of work (a timer: loading, warming a cache) and, for some, one query
 * on the pool it was given.
 */
export async function startService(service: AppService, deps: readonly unknown[]): Promise<void> {
  await sleep(service.initMs);
  if (service.query) {
    const pool = deps[service.deps.indexOf(PG)] as PgPool;
    await pool.query('SELECT $1::int AS n', [service.initMs]);
  }
}

/** A service's stop: a turn of the event loop (flushing what it holds). */
export function stopService(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The first server that does not accept a TCP connection within a second, or undefined. */
export async function unreachableServer(): Promise<string | undefined> {
  for (const name of CLIENTS) {
    const { host, port } = SERVERS[name];
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      const done = (answer: boolean): void => {
        socket.destroy();
        resolve(answer);
      };
      socket.setTimeout(1_000, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    if (!ok) return `${name} at ${host}:${port}`;
  }
  return undefined;
}
