// The Go bandmaster README's quickstart, in TypeScript, on real memcached and Redis clients: five
// services with the same dependency shape, one of which (mc-x) can never boot and retries with
// exponential backoff. Servers come from MC_EXAMPLE_SERVERS and RD_EXAMPLE_URI (default: the local
// ones); where none answers, the demo starts in-process stand-ins (samples/support/) and says so,
// so the outcome is the same on any machine.
import 'reflect-metadata';
import { BootError, Container, getGlobalLogger, type LifecycleReport, type Logger } from 'bandmaster';
import { memcached, type MemcachedClient } from 'bandmaster/providers/memcached';
import { redis, type Redis, type RedisClient } from 'bandmaster/providers/redis';
import { exampleServers } from './support/example-servers';

const log: Logger = getGlobalLogger() || { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function register(container: Container): void {
  container.register(
    // mc-1 depends on rd-1, which is registered later
    memcached({ name: 'mc-1', env: 'MC_EXAMPLE', dependsOn: ['rd-1'] }),
    // mc-2 has no dependencies and is optional
    memcached({ name: 'mc-2', env: 'MC_EXAMPLE', required: false }),
    // mc-3 depends on mc-2
    memcached({ name: 'mc-3', env: 'MC_EXAMPLE', dependsOn: ['mc-2'] }),
    // rd-1 depends on mc-3, hence indirectly on mc-2
    redis({ name: 'rd-1', env: 'RD_EXAMPLE', dependsOn: ['mc-3'] }),
    // mc-x depends on everything, cannot possibly boot (nothing listens on port 1), and retries 3
    // times with 100ms,
    // 200ms and 400ms of backoff
    memcached({
      name: 'mc-x',
      env: 'MC_EXAMPLE',
      config: { servers: ['127.0.0.1:1'] },
      dependsOn: ['mc-1', 'mc-2', 'mc-3', 'rd-1'],
      retries: 3,
      backoff: 100,
    }),
  );
}

/** Where a client talks to, or why there is none: the TypeScript stand-in for the Go `%p`. */
function describeClient(container: Container, name: string): string {
  const status = container.status().find((s) => s.name === name);
  if (status?.state !== 'started') return `${name}:${status?.state ?? 'unknown'}`;
  const client = container.resolve<MemcachedClient | RedisClient>(name);
  if ('servers' in client) return `${name}:${client.servers.map((s) => `${s.host}:${s.port}`).join(',')}`;
  if (client.isCluster) return `${name}:cluster`;
  const { host, port } = (client as Redis).options;
  return `${name}:${host}:${port}`;
}

/** Some real work through the started clients: a Redis INCR and a memcached SET and GET. */
async function doStuff(container: Container, round: number): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  if (container.status().find((s) => s.name === 'rd-1')?.state === 'started') {
    fields['rd-1 INCR bandmaster:quickstart'] = await container.resolve<RedisClient>('rd-1').incr('bandmaster:quickstart');
  }
  if (container.status().find((s) => s.name === 'mc-1')?.state === 'started') {
    const mc1 = container.resolve<MemcachedClient>('mc-1');
    await mc1.set('bandmaster:quickstart', `round ${round}`, { expires: 60 });
    fields['mc-1 GET bandmaster:quickstart'] = (await mc1.get('bandmaster:quickstart')).value?.toString();
  }
  return fields;
}

async function main(): Promise<void> {
  const servers = await exampleServers();
  console.log(servers.summary);
  try {
    await run();
  } finally {
    await servers.close();
  }
}

async function run(): Promise<void> {
  const container = new Container();
  register(container);

  // give it 5s max to start everything
  let boot: LifecycleReport;
  try {
    boot = await container.startAll({ timeout: 5_000 });
  } catch (err) {
    if (!(err instanceof BootError)) throw err;
    boot = err.report;
  }
  for (const e of boot.errors) {
    // if the service is marked as required, we should start worrying
    const required = boot.services.find((s) => s.name === e.service)?.required !== false;
    if (required) log.error("couldn't start required service", { error: e.message, service: e.service });
    else log.info("couldn't start optional service", { error: e.message, service: e.service });
  }
  console.log(`\nboot report:\n${boot.toString()}\n`);
  // the dependency graph (paste into any Markdown that renders Mermaid) and the boot timeline
  console.log(`dependency graph (Mermaid):\n${container.graph().toMermaid()}\n`);
  console.log(`${container.timeline().toText()}\n`);

  // whatever started is ready for action; the rest is reported above
  for (let round = 1; round <= 3; round++) {
    log.info('doing stuff with our new services...', {
      memcacheds: ['mc-1', 'mc-2', 'mc-3'].map((n) => describeClient(container, n)).join(' '),
      redis: describeClient(container, 'rd-1'),
      ...(await doStuff(container, round)),
    });
  }

  // give it 5s max to stop everything
  const report = await container.stopAll({ timeout: 5_000 });
  console.log(`\nshutdown report:\n${report.toString()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
