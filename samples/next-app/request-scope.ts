// The Next.js recipe's request scope: a Route Handler gets a Web `Request`, not Node's
// IncomingMessage, so it opens the scope itself, provides the request's method, path and headers
// under REQUEST, and disposes the scope once the answer is built. A streamed body outlives the
// handler: dispose in `after(() => scope.dispose())` from 'next/server' instead.
import type { Pool, PoolClient } from 'pg';
import { Inject, REQUEST, Service, type Container, type OnStart, type OnStop, type Scope, type ScopeRequest } from 'bandmaster';

/** One per request: a pooled PostgreSQL client for the request's queries, given back on dispose. */
@Service({ name: 'visit-log', scope: 'scoped' })
export class VisitLog implements OnStart, OnStop {
  #client: PoolClient | undefined;

  constructor(
    @Inject('db') private readonly pool: Pool,
    @Inject(REQUEST) private readonly request: ScopeRequest,
  ) {}

  async onStart(): Promise<void> {
    this.#client = await this.pool.connect();
  }

  /** PostgreSQL's backend serving this request, and the request's path. */
  async record(): Promise<{ backend: number; path: string }> {
    const { rows } = await this.#client!.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return { backend: rows[0]!.pid, path: this.request.url ?? '' };
  }

  async onStop(): Promise<void> {
    this.#client?.release();
    console.log(JSON.stringify({ msg: 'request scope disposed', path: this.request.url }));
  }
}

/** Runs `work` in a new scope of `container` for `request`, and disposes the scope after it, also when it throws. */
export async function inRequestScope<T>(container: Container, request: Request, work: (scope: Scope) => Promise<T>): Promise<T> {
  const { pathname, search } = new URL(request.url);
  const scope = container.createScope().provide(REQUEST, { method: request.method, url: pathname + search, headers: Object.fromEntries(request.headers) });
  try {
    return await work(scope);
  } finally {
    await scope.dispose();
  }
}
