// Per-request scopes on node:http: every request gets a scope holding the request, a
// request-scoped repository borrows a client of the started PostgreSQL Pool (a singleton) and
// opens a transaction, committed when the scope is disposed, or rolled back when the handler failed.
// The sample sends itself three requests, prints what the table holds, and stops.
//   npm run build && node dist/samples/scopes.js      (PostgreSQL at SQL_EXAMPLE_URL, default 127.0.0.1:5432)
import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool, PoolClient } from 'pg';
import { Container, Inject, Service, token, type OnStart, type OnStop } from 'bandmaster';
import { sql } from 'bandmaster/providers/sql';

const REQUEST = token<IncomingMessage>('request');
const TABLE = 'bandmaster_sample_notes';

/** One per request: a pooled client inside a transaction, given back when the scope ends. */
@Service({ scope: 'scoped' })
class Notes implements OnStart, OnStop {
  #client: PoolClient | undefined;
  #failed = false;

  constructor(
    @Inject('db') private readonly pool: Pool,
    @Inject(REQUEST) private readonly request: IncomingMessage,
  ) {}

  async onStart(): Promise<void> {
    this.#client = await this.pool.connect();
    await this.#client.query('BEGIN');
  }

  async add(text: string): Promise<void> {
    try {
      await this.#client!.query(`INSERT INTO ${TABLE} (text, path) VALUES ($1, $2)`, [text, this.request.url]);
      if (text.includes('fail')) throw new Error(`refusing "${text}"`);
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  async onStop(): Promise<void> {
    const client = this.#client!;
    try {
      await client.query(this.#failed ? 'ROLLBACK' : 'COMMIT');
      console.log(`${this.request.url}: ${this.#failed ? 'rolled back' : 'committed'}`);
    } finally {
      client.release();
    }
  }
}

function serve(container: Container): Server {
  return createServer(async (req, res) => {
    const answer = await handle(container, req);
    // sent once the scope is disposed: a client that reads right after a 201 sees the commit
    res.writeHead(answer.status).end(answer.body);
  });
}

async function handle(container: Container, req: IncomingMessage): Promise<{ status: number; body: string }> {
  // disposed when this returns, however it returns: the transaction ends, the client goes back
  await using scope = container.createScope();
  scope.provide(REQUEST, req);
  try {
    const notes = await scope.resolve(Notes);
    await notes.add(decodeURIComponent(req.url!.slice(1)));
    return { status: 201, body: 'saved\n' };
  } catch (error) {
    return { status: 500, body: `${(error as Error).message}\n` };
  }
}

async function main(): Promise<void> {
  const container = new Container({ logger: false });
  container.register(sql({ name: 'db', env: 'SQL_EXAMPLE', config: { max: 4 } }));
  container.register(Notes);
  await container.startAll({ timeout: 10_000 });
  const pool = container.resolve<Pool>('db');
  await pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id serial PRIMARY KEY, text text NOT NULL, path text NOT NULL)`);
  await pool.query(`TRUNCATE ${TABLE}`);

  const server = serve(container).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const note of ['buy milk', 'this one should fail', 'call mum']) {
    const response = await fetch(`${base}/${encodeURIComponent(note)}`, { method: 'POST' });
    console.log(`POST /${note}: ${response.status} ${(await response.text()).trim()}`);
  }
  const { rows } = await pool.query<{ text: string }>(`SELECT text FROM ${TABLE} ORDER BY id`);
  console.log(`notes: ${rows.map((r) => r.text).join(', ')}`);
  console.log(`pool: ${pool.totalCount} clients, ${pool.idleCount} idle`);
  await pool.query(`DROP TABLE ${TABLE}`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await container.stopAll({ timeout: 10_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
