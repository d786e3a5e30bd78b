// bandmaster inside a NestJS application: BandmasterModule boots the container while Nest builds
// its providers (so before any onModuleInit), Nest controllers inject bandmaster services by
// class and by name, every HTTP request gets `req.scope` (here a repository holding a pooled
// PostgreSQL client for the request, given back when the response is done), and app.close()
// (SIGTERM, through enableShutdownHooks) stops them last.
//   npm run build && PORT=8080 node dist/samples/nest-app.js
import 'reflect-metadata';
import type { Request } from 'express';
import { Container, Inject, Service, healthHandler } from 'bandmaster';
import { BandmasterModule } from 'bandmaster/nest';
import { redis, type RedisClient } from 'bandmaster/providers/redis';
import { sql, type Pool } from 'bandmaster/providers/sql';
import { VisitLog } from './support/visit-log';

// NestJS 12 is ESM-only: a CommonJS application loads it through require(esm) (Node 20.19+,
// 22.12+); an ESM application writes `import { Controller } from '@nestjs/common'`.
type NestCommon = typeof import('@nestjs/common', { with: { 'resolution-mode': 'import' } });
type NestCore = typeof import('@nestjs/core', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nest = require('@nestjs/common') as NestCommon;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NestFactory } = require('@nestjs/core') as NestCore;

/** A bandmaster service: booted by the container with its retries, not by Nest. */
@Service({ retries: 2, backoff: 100 })
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

/** A Nest controller: `Visits` by class, the Redis client by name, `VisitLog` from the request's scope. */
@nest.Controller()
class VisitsController {
  constructor(
    private readonly visits: Visits,
    @nest.Inject('redis') private readonly redis: RedisClient,
  ) {}

  @nest.Get('visits')
  async get(@nest.Req() req: Request): Promise<{ visits: number; database: string; redis: string; backend: number; path: string }> {
    const counted = await this.visits.count(`bandmaster:sample:nest:${process.pid}`);
    // scoped: built for this request, disposed (client released) once the response is done
    const log = await req.scope.resolve(VisitLog);
    return { ...counted, redis: await this.redis.ping(), ...(await log.record()) };
  }
}

async function main(): Promise<void> {
  const container = new Container();
  container.register(redis({ name: 'redis', env: 'SAMPLE_REDIS' }), sql({ name: 'db', env: 'SAMPLE_SQL' }), Visits, VisitLog);

  @nest.Module({
    imports: [BandmasterModule.forRoot({ container, services: [Visits, 'redis', 'db'], startTimeout: 10_000, stopTimeout: 10_000 })],
    controllers: [VisitsController],
  })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.use(healthHandler(container));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(Number(process.env['PORT'] ?? 8080), '127.0.0.1');
  console.log(JSON.stringify({ msg: 'listening', url: (await app.getUrl()).replace('[::1]', '127.0.0.1') }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
