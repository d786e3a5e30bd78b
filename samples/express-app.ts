// bandmaster around an Express application: the HTTP server is itself a bandmaster service that
// depends on what the routes use, so it listens only once they are started and, on SIGTERM,
// stops first (server.close() + closeIdleConnections()), before the services it uses.
//   npm run build && PORT=8080 node dist/samples/express-app.js
import 'reflect-metadata';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Container, Inject, Service, healthHandler, type HealthRequestHandler } from 'bandmaster';
import { redis, type RedisClient } from 'bandmaster/providers/redis';
import { sql, type Pool } from 'bandmaster/providers/sql';

@Service()
class Visits {
  constructor(
    @Inject('redis') private readonly redis: RedisClient,
    @Inject('db') private readonly db: Pool,
  ) {}

  async count(key: string): Promise<{ visits: number; database: string }> {
    const visits = await this.redis.incr(key);
    await this.redis.expire(key, 60);
    const { rows } = await this.db.query<{ now: Date }>('SELECT now() AS now');
    return { visits, database: rows[0]!.now.toISOString() };
  }
}

/**
 * The HTTP server as a service: `onStart` listens, `onStop` stops accepting, ends idle
 * keep-alive sockets at once and waits for the requests in flight (bounded by `stopTimeout`).
 */
@Service({ stopTimeout: 10_000 })
class HttpServer {
  readonly server: Server;

  constructor(visits: Visits, @Inject('probes') probes: HealthRequestHandler) {
    const app = express();
    app.use(probes);
    app.get('/visits', (_req, res, next) => {
      visits.count(`bandmaster:sample:express:${process.pid}`).then((body) => res.json(body), next);
    });
    this.server = createServer(app);
  }

  async onStart(): Promise<void> {
    this.server.listen(Number(process.env['PORT'] ?? 8080), '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    console.log(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }));
  }

  async onStop(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
    this.server.closeIdleConnections();
    await closed;
  }
}

async function main(): Promise<void> {
  const container = new Container();
  container.register(
    redis({ name: 'redis', env: 'SAMPLE_REDIS' }),
    sql({ name: 'db', env: 'SAMPLE_SQL' }),
    Visits,
    { name: 'probes', useValue: healthHandler(container) },
    HttpServer,
  );
  // readiness turns false at once, then the server stops, then Visits, then the clients
  container.handleSignals({ timeout: 15_000 });
  await container.startAll({ timeout: 10_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
