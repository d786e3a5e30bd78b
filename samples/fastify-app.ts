// bandmaster inside a Fastify application: the plugin boots the container on `ready()`, serves
// the probes, gives each request `request.scope` (here a repository holding a pooled PostgreSQL
// client for the request, given back when the response is done), and `app.close()` (here on
// SIGTERM) stops the server first, then the services.
//   npm run build && PORT=8080 node dist/samples/fastify-app.js
//   curl localhost:8080/visits; curl localhost:8080/readyz; kill -TERM <pid>
import 'reflect-metadata';
import Fastify from 'fastify';
import { Container, Inject, Service } from 'bandmaster';
import { bandmaster } from 'bandmaster/fastify';
import { redis, type RedisClient } from 'bandmaster/providers/redis';
import { sql } from 'bandmaster/providers/sql';
import { VisitLog } from './support/visit-log';

/** The application's own singleton: it gets the started Redis client. */
@Service()
class Visits {
  constructor(@Inject('redis') private readonly redis: RedisClient) {}

  async count(key: string): Promise<number> {
    const visits = await this.redis.incr(key);
    await this.redis.expire(key, 60);
    return visits;
  }
}

async function main(): Promise<void> {
  const container = new Container();
  container.register(redis({ name: 'redis', env: 'SAMPLE_REDIS' }), sql({ name: 'db', env: 'SAMPLE_SQL' }), Visits, VisitLog);

  const app = Fastify();
  await app.register(bandmaster, { container, probes: true, startTimeout: 8_000, stopTimeout: 10_000 });
  app.get('/visits', async (request) => {
    const visits = await app.container.resolve(Visits).count(`bandmaster:sample:fastify:${process.pid}`);
    // scoped: built for this request, disposed (client released) once the response is done
    const log = await request.scope.resolve(VisitLog);
    return { visits, ...(await log.record()) };
  });

  const url = await app.listen({ port: Number(process.env['PORT'] ?? 8080), host: '127.0.0.1' });
  console.log(JSON.stringify({ msg: 'listening', url }));
  process.once('SIGTERM', () => {
    app.close().then(
      () => console.log(JSON.stringify({ msg: 'closed' })),
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
