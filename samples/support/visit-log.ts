// The request-scoped repository of the Fastify and Express samples: one per request scope, it
// borrows a client of the started PostgreSQL pool (the `db` singleton) and gives it back in
// onStop, when the request's scope is disposed (the response is done, failed, or was aborted).
import type { IncomingMessage } from 'node:http';
import type { Pool, PoolClient } from 'pg';
import { Inject, REQUEST, Service, type OnStart, type OnStop } from 'bandmaster';

/** One per request: a pooled PostgreSQL client for the request's queries. */
@Service({ scope: 'scoped' })
export class VisitLog implements OnStart, OnStop {
  #client: PoolClient | undefined;

  constructor(
    @Inject('db') private readonly pool: Pool,
    @Inject(REQUEST) private readonly request: IncomingMessage,
  ) {}

  async onStart(): Promise<void> {
    this.#client = await this.pool.connect();
  }

  /** PostgreSQL's clock and the backend serving this request. */
  async record(): Promise<{ database: string; backend: number; path: string }> {
    const { rows } = await this.#client!.query<{ now: Date; pid: number }>('SELECT now() AS now, pg_backend_pid() AS pid');
    return { database: rows[0]!.now.toISOString(), backend: rows[0]!.pid, path: this.request.url ?? '' };
  }

  async onStop(): Promise<void> {
    this.#client?.release();
    console.log(JSON.stringify({ msg: 'request scope disposed', path: this.request.url }));
  }
}
