// Supervision on real servers: a Redis service with `restart`, a dependent using it, and a service
// on the shared local Redis that does not depend on it. The sample runs a private redis-server,
// kills it (SIGKILL, a crash), brings it back, and prints the events: the health poll marks the
// service lost, the container restarts it and its dependent with fresh clients, the other service
// is left alone. Then a restart on demand (credentials rotated...) and the timeline with both.
//   npm run build && node dist/samples/supervision.js        (needs redis-server on the PATH)
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { Container, type LifecycleEvent } from 'bandmaster';
import { redis, type RedisClient } from 'bandmaster/providers/redis';

const SHARED_REDIS = process.env['RD_SHARED_URI'] ?? 'redis://127.0.0.1:6379';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private redis-server on `port`, resolved once it accepts connections. */
async function redisServer(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = once(child, 'error').then(([error]) => Promise.reject(error as Error));
  for (let i = 0; i < 400; i++) {
    const open = await Promise.race([failed, new Promise<boolean>((resolve) => connect(port, '127.0.0.1').once('connect', function (this: ReturnType<typeof connect>) { this.destroy(); resolve(true); }).once('error', () => resolve(false)))]);
    if (open) return child;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** One line per supervision event, and the stops and starts they bring. */
function describe(e: LifecycleEvent): string | undefined {
  switch (e.type) {
    case 'lost':
      return `${e.service}: lost (${e.error instanceof Error ? e.error.message : String(e.error)})`;
    case 'restarting':
      return `${e.service}: restarting${e.reason === undefined ? ' on demand' : ''}`;
    case 'restarted':
      return `${e.service}: restarted in ${Math.round(e.durationMs)} ms`;
    case 'restart-failed':
      return `${e.service}: restart failed: ${e.error.message}`;
    case 'stopped':
    case 'started':
      return `  ${e.service}: ${e.type}`;
    default:
      return undefined;
  }
}

/** Resolves at the next event of `type` for `service`. */
function next(container: Container, type: LifecycleEvent['type'], service: string): Promise<void> {
  return new Promise((resolve) => {
    const off = container.events.on((e) => e.type === type && e.service === service && (off(), resolve()));
  });
}

async function main(): Promise<void> {
  const port = await freePort();
  let server = await redisServer(port);
  const container = new Container({ logger: false, healthInterval: 100, healthFailures: 2, healthTimeout: 200 });
  container.events.on((e) => {
    const line = describe(e);
    if (line) console.log(line);
  });
  container.register(
    redis({ name: 'rd-sv', config: { uri: `redis://127.0.0.1:${port}` }, retries: 100, backoff: { initial: 50, max: 200 }, restart: { maxRestarts: 3, withinMs: 60_000 } }),
    { name: 'sessions', deps: ['rd-sv'], useFactory: (client: RedisClient) => ({ client, save: (id: string) => client.set(`session:${id}`, '1') }) },
    redis({ name: 'rd-shared', config: { uri: SHARED_REDIS }, retries: 3, backoff: 100 }),
  );
  try {
    await container.startAll({ timeout: 10_000 });
    const before = container.resolve<{ client: RedisClient }>('sessions').client;
    const shared = container.resolve<RedisClient>('rd-shared');
    console.log('booted; killing the private redis-server');
    const lost = next(container, 'lost', 'rd-sv');
    const restarted = next(container, 'restarted', 'rd-sv');
    await kill(server);
    await lost;
    server = await redisServer(port);
    const back = performance.now();
    console.log('redis-server is back');
    await restarted;
    console.log(`server back -> rd-sv restarted: ${Math.round(performance.now() - back)} ms`);
    const sessions = container.resolve<{ client: RedisClient; save: (id: string) => Promise<unknown> }>('sessions');
    await sessions.save('after-restart');
    console.log(`sessions has a fresh client: ${sessions.client !== before}; rd-shared untouched: ${container.resolve('rd-shared') === shared}`);
    console.log('restart on demand:');
    const report = await container.restart('rd-sv', { timeout: 10_000 });
    console.log(report.toString());
    console.log(container.timeline().toText({ width: 40 }));
    const status = container.status().map((s) => `${s.name}=${s.state}${s.restarts ? ` (${s.restarts} restarts)` : ''}`);
    console.log(`status: ${status.join(', ')}`);
  } finally {
    await container.stopAll({ timeout: 5_000 }).catch((err: unknown) => console.error(err));
    await kill(server);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
