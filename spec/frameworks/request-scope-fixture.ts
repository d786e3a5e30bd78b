// A container with the real local PostgreSQL pool and a request-scoped repository that borrows a
// client per scope and gives it back in onStop: the request-scope specs count its starts and stops.
import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import type { Pool, PoolClient } from 'pg';
import { Container, Inject, REQUEST, Service } from 'bandmaster';
import { sql } from 'bandmaster/providers/sql';

/** What the repositories of a test did: one entry per scope. */
export interface Tally {
  started: string[];
  stopped: string[];
}

/** Resolves once `tally.stopped` has `count` entries (the disposal runs after the response). */
export async function stoppedAtLeast(tally: Tally, count: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (tally.stopped.length < count) {
    if (Date.now() > until) throw new Error(`expected ${count} stops, saw ${tally.stopped.length}: ${tally.stopped.join()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One per request scope: borrows a PostgreSQL client of the `db` pool, gives it back in onStop. */
@Service({ scope: 'scoped' })
export class Repo {
  #client: PoolClient | undefined;
  constructor(
    @Inject('db') private readonly pool: Pool,
    @Inject(REQUEST) readonly request: IncomingMessage,
    @Inject('tally') private readonly tally: Tally & { failStop?: boolean },
  ) {}

  async onStart(): Promise<void> {
    this.#client = await this.pool.connect();
    this.tally.started.push(this.request.url ?? '');
  }

  /** PostgreSQL's backend pid of the borrowed client, and the request's path. */
  async whoami(): Promise<{ pid: number; path: string }> {
    const { rows } = await this.#client!.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return { pid: rows[0]!.pid, path: this.request.url ?? '' };
  }

  async onStop(): Promise<void> {
    this.#client!.release();
    this.tally.stopped.push(this.request.url ?? '');
    if (this.tally.failStop) throw new Error('release hook failed');
  }
}

/** A container with the real `db` pool and {@link Repo}; `failStop` makes Repo's onStop reject. */
export function scopedDb(tally: Tally, options: { failStop?: boolean } = {}): Container {
  const container = new Container({ logger: false });
  container.register(
    sql({ name: 'db', config: { url: 'postgres://postgres@127.0.0.1:5432/postgres', max: 4 } }),
    { name: 'tally', useValue: Object.assign(tally, options) },
    Repo,
  );
  return container;
}
