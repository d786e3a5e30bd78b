// The Next.js recipe's one container per server process. Next's dev server re-evaluates modules
// on every change (hot reload): a container kept in a module variable would be rebuilt each time
// and leak the previous one's connections, so it is kept on globalThis and built once.
import 'reflect-metadata';
import { Container, Inject, Service } from 'bandmaster';
import { redis, type RedisClient } from 'bandmaster/providers/redis';
import { sql, type Pool } from 'bandmaster/providers/sql';
import { VisitLog } from './request-scope';

// Resolve it by name, not by class: after a hot reload `Visits` is a new class object, while the
// container kept on globalThis was registered with the first one.
@Service({ name: 'visits' })
export class Visits {
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

const KEY = Symbol.for('bandmaster.sample.next.container');
const holder = globalThis as { [KEY]?: { container: Container; booted: Promise<unknown> } };

/** The process's container, booting once; later calls (and reloaded modules) share it. */
export function appContainer(): { container: Container; booted: Promise<unknown> } {
  if (!holder[KEY]) {
    const container = new Container();
    container.register(redis({ name: 'redis', env: 'SAMPLE_REDIS' }), sql({ name: 'db', env: 'SAMPLE_SQL' }), Visits, VisitLog);
    holder[KEY] = { container, booted: container.startAll({ timeout: 10_000 }) };
  }
  return holder[KEY];
}
