// bandmaster around an Express application: the HTTP server is itself a bandmaster service that
// depends on what the routes use, so it listens only once they are started and, on SIGTERM,
// stops first (server.close() + closeIdleConnections()), before the services it uses.
// `scopeMiddleware(container)` gives each request `req.scope`: here a repository holding a pooled
// PostgreSQL client for the request, given back when the response is done.
//   npm run build && PORT=8080 node dist/samples/express-app.js
import 'reflect-metadata';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Container, Inject, Service, healthHandler, scopeMiddleware, type HealthRequestHandler } from 'bandmaster';
import { redis, type RedisClient } from 'bandmaster/providers/redis';
import { sql } from 'bandmaster/providers/sql';
import { VisitLog } from './support/visit-log';

@Service()
class Visits {
  constructor(@Inject('redis') private readonly redis: RedisClient) {}

  async count(key: string): Promise<number> {
    const visits = await this.redis.incr(key);
    await this.redis.expire(key, 60);
    return visits;
  }
}

/**
 * The HTTP server as a service: `onStart` listens, `onStop` stops accepting, ends idle
 * keep-alive sockets at once and waits for the requests in flight (bounded by `stopTimeout`).
 */
@Service({ stopTimeout: 10_000 })
class HttpServer {
  readonly server: Server;

  constructor(visits: Visits, @Inject('probes') probes: HealthRequestHandler, container: Container) {
    const app = express();
    app.use(probes);
    app.use(scopeMiddleware(container));
    app.get('/visits', async (req, res) => {
      const count = await visits.count(`bandmaster:sample:express:${process.pid}`);
      // scoped: built for this request, disposed (client released) once the response is done
      const log = await req.scope.resolve(VisitLog);
      res.json({ visits: count, ...(await log.record()) });
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
    VisitLog,
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
