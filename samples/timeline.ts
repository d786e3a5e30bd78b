// The dependency graph and the boot timeline of a small service graph: which service waited for
// which, how long each start took, and the critical path that set the boot's length.
//   npm run build && node dist/samples/timeline.js [boot.svg]
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Container, type Definition } from 'bandmaster';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** A service that takes `ms` to start and fails its first `failures` attempts (retried `retries` times, default as many). */
function service(name: string, ms: number, options: { deps?: string[]; failures?: number; retries?: number; required?: boolean } = {}): Definition<{ name: string }> {
  let failures = options.failures ?? 0;
  return {
    name,
    dependsOn: options.deps ?? [],
    required: options.required ?? true,
    retries: options.retries ?? failures,
    backoff: 20,
    useFactory: () => ({ name }),
    onStart: async (_instance, signal) => {
      await sleep(ms, signal);
      if (failures-- > 0) throw new Error(`${name}: connection refused`);
    },
  };
}

async function main(): Promise<void> {
  const container = new Container({ logger: false });
  container.register(
    service('postgres', 120),
    service('redis', 30),
    service('migrations', 80, { deps: ['postgres'] }),
    service('sessions', 20, { deps: ['redis'], failures: 2 }),
    service('search', 40, { required: false, failures: 5, retries: 1 }),
    service('api', 25, { deps: ['migrations', 'sessions'] }),
  );
  console.log(container.graph().toMermaid(), '\n');
  await container.startAll({ timeout: 5_000 });
  const timeline = container.timeline();
  console.log(timeline.toText());
  const file = process.argv[2];
  if (file) {
    writeFileSync(file, timeline.toSvg());
    console.log(`\nwrote ${file}`);
  }
  await container.stopAll({ timeout: 5_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
