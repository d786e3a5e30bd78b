// Three replicas of one app on the local PostgreSQL and Redis (`npm run services`), showing the
// fleet options: `Migrations` runs once per fleet (a PostgreSQL advisory lock and the
// bandmaster_once table), `OutboxRelay` runs on one replica at a time (a Redis lease with a
// fencing token); the others keep it on standby. The sample then stops the holder and shows a
// standby taking over. Run: npm run build && node dist/samples/fleet.js
// Servers: DB_URL (default postgres://postgres@127.0.0.1:5432/postgres), CACHE_URI (default redis://127.0.0.1:6379).
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Container, DependsOn, Inject, Service, type OnStart, type OnStop } from 'bandmaster';
import { redis } from 'bandmaster/providers/redis';
import { sql, type Pool } from 'bandmaster/providers/sql';

const DB_URL = process.env['DB_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CACHE_URI = process.env['CACHE_URI'] ?? 'redis://127.0.0.1:6379';
const [role, , runId = 'sample'] = process.argv.slice(2);

const say = (line: string): void => void process.send?.(line);

@Service({ once: { lock: 'db', key: `sample-migrations-${runId}` } })
class Migrations implements OnStart {
  constructor(@Inject('db') private readonly db: Pool) {}
  async onStart(): Promise<void> {
    await this.db.query('CREATE TABLE IF NOT EXISTS bandmaster_sample_outbox (id bigserial PRIMARY KEY, body text NOT NULL)');
    say('ran the migration');
  }
}

@Service({ exclusive: { lock: 'cache', key: `sample-outbox-relay-${runId}`, leaseMs: 3_000 } })
@DependsOn(Migrations)
class OutboxRelay implements OnStart, OnStop {
  #timer: NodeJS.Timeout | undefined;
  onStart(): void {
    // a real relay would publish the outbox rows here; this one only says it runs
    this.#timer = setInterval(() => undefined, 1_000);
  }
  onStop(): void {
    clearInterval(this.#timer);
  }
}

async function replica(): Promise<void> {
  const container = new Container({ logger: false });
  container.register(sql({ name: 'db', config: { url: DB_URL } }), redis({ name: 'cache', config: { uri: CACHE_URI } }), Migrations, OutboxRelay);
  container.events.on((e) => {
    if (e.type === 'acquired') say(`holds ${e.service} (fencing token ${e.token})`);
    else if (e.type === 'standby') say(`keeps ${e.service} on standby`);
    else if (e.type === 'released') say(`released ${e.service}`);
  });
  process.once('SIGTERM', () => void container.stopAll({ timeout: 10_000 }).then(() => process.exit(0), () => process.exit(1)));
  await container.startAll({ timeout: 20_000 });
  const states = container.status().map((s) => `${s.name} ${s.state}`);
  say(`booted: ${states.join(', ')}`);
}

/** The parent: forks three replicas, prints what each says, stops the holder, then the rest. */
async function main(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const lines: { id: number; line: string }[] = [];
  const children: ChildProcess[] = [];
  /** Resolves to the first line (from the `from`-th on) that `match` accepts. */
  const heard = (match: (line: string) => boolean, from = 0, ms = 20_000): Promise<{ id: number; line: string; at: number }> =>
    new Promise((resolve, reject) => {
      const until = Date.now() + ms;
      const look = (): void => {
        const at = lines.findIndex((l, i) => i >= from && match(l.line));
        if (at >= 0) return resolve({ ...lines[at]!, at });
        if (Date.now() > until) return reject(new Error('the replicas did not say what the sample expected'));
        setTimeout(look, 20);
      };
      look();
    });
  for (const id of [1, 2, 3]) {
    const child = fork(__filename, ['replica', String(id), run], { stdio: 'inherit' });
    child.on('message', (m) => {
      lines.push({ id, line: String(m) });
      console.log(`replica ${id} (pid ${child.pid}): ${String(m)}`);
    });
    children.push(child);
  }
  await heard(() => lines.filter((l) => l.line.startsWith('booted')).length === 3);
  const holder = await heard((l) => l.startsWith('holds OutboxRelay'));
  console.log(`summary: the migration ran on ${lines.filter((l) => l.line === 'ran the migration').length} replica; OutboxRelay runs on replica ${holder.id}, the others stand by`);
  console.log(`stopping replica ${holder.id}, the holder...`);
  const stoppedAt = Date.now();
  children[holder.id - 1]!.kill('SIGTERM');
  const taker = await heard((l) => l.startsWith('holds OutboxRelay'), holder.at + 1);
  console.log(`summary: replica ${taker.id} took over OutboxRelay ${Date.now() - stoppedAt} ms after the holder began to stop (${taker.line})`);
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(undefined) : c.once('exit', resolve)))));
  console.log('summary: every replica stopped and gave its locks back');
}

if (role === 'replica') {
  replica().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
