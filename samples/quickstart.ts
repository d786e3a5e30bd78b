// The Go bandmaster README's quickstart, in TypeScript: five services with the same dependency
// shape, one of which (mc-x) can never boot and retries with exponential backoff.
import 'reflect-metadata';
import { BootError, Container, type Definition, type LifecycleReport } from 'bandmaster';

/** A stand-in for a cache client, connecting in a few milliseconds (or never). */
class FakeCache {
  constructor(readonly address: string) {}

  async connect(signal: AbortSignal): Promise<void> {
    if (this.address.endsWith(':0')) throw new Error(`connect ECONNREFUSED ${this.address}`);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    signal.throwIfAborted();
  }
}

function cache(name: string, address: string, options: Partial<Definition<FakeCache>> & { dependsOn?: string[] } = {}): Definition<FakeCache> {
  return {
    name,
    useFactory: () => new FakeCache(address),
    onStart: (client, signal) => client.connect(signal),
    ...options,
  } as Definition<FakeCache>;
}

async function main(): Promise<void> {
  const container = new Container();
  container.register(
    // mc-1 depends on rd-1, which is registered later
    cache('mc-1', '127.0.0.1:11211', { dependsOn: ['rd-1'] }),
    // mc-2 has no dependencies and is optional
    cache('mc-2', '127.0.0.1:11211', { required: false }),
    // mc-3 depends on mc-2
    cache('mc-3', '127.0.0.1:11211', { dependsOn: ['mc-2'] }),
    // rd-1 depends on mc-3, hence indirectly on mc-2
    cache('rd-1', '127.0.0.1:6379', { dependsOn: ['mc-3'] }),
    // mc-x depends on everything, cannot boot, and retries 3 times with 100ms, 200ms, 400ms backoff
    cache('mc-x', '127.0.0.1:0', { dependsOn: ['mc-1', 'mc-2', 'mc-3', 'rd-1'], retries: 3, backoff: 100 }),
  );

  // give it 5s max to start everything
  let boot: LifecycleReport;
  try {
    boot = await container.startAll({ timeout: 5_000 });
  } catch (err) {
    if (!(err instanceof BootError)) throw err;
    for (const e of err.errors) console.log(JSON.stringify({ level: 'error', msg: "couldn't start required service", error: e.message, service: e.service }));
    boot = err.report;
  }
  console.log(`\nboot report:\n${boot.toString()}\n`);

  const [mc1, mc2, mc3, rd1] = ['mc-1', 'mc-2', 'mc-3', 'rd-1'].map((n) => container.resolve(n) as FakeCache);
  console.log(JSON.stringify({ level: 'info', msg: 'doing stuff with our new services...', memcacheds: [mc1, mc2, mc3].map((c) => c!.address), redis: rd1!.address }));

  const report = await container.stopAll({ timeout: 5_000 });
  console.log(`\nshutdown report:\n${report.toString()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
