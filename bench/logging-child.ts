// Measures what the default winston logger costs per service. Run with stdout sent to /dev/null
// or a file (never the terminal); results go to the parent over IPC.
import 'reflect-metadata';
import { Container, createDefaultLogger, setGlobalLogger, type AnyDefinition, type Logger } from '../lib';
import { makeGraph, makeService, type Graph } from './graph';
import { collect, rotate } from './stats';

/** How the container logs in one mode: its own option, and the global logger. */
interface Mode {
  readonly name: string;
  readonly option: false | undefined;
  readonly global: Logger | false;
}

function definitions(graph: Graph): AnyDefinition[] {
  const { names, deps } = graph;
  return names.map((name, i) => ({
    name,
    deps: deps[i]!.map((d) => names[d]!),
    useFactory: (...args: unknown[]) => makeService(i, args),
    onStart: () => Promise.resolve(),
    onStop: () => Promise.resolve(),
  }));
}

async function once(graph: Graph, mode: Mode): Promise<number> {
  setGlobalLogger(mode.global);
  collect();
  // CPU time, not wall time: logging is CPU work, and this machine may be shared
  const before = process.cpuUsage();
  const container = new Container(mode.option === false ? { logger: false } : {});
  container.register(...definitions(graph));
  await container.startAll();
  await container.stopAll();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 1000);
  const rounds = Number(process.argv[3] ?? 5);
  const graph = makeGraph({ size, seed: 3 });
  const modes: Mode[] = [
    { name: 'logger: false', option: false, global: false },
    { name: 'default logger, level silent', option: undefined, global: false },
    { name: 'default logger, level warn', option: undefined, global: createDefaultLogger('warn') },
    { name: 'default logger, level info', option: undefined, global: createDefaultLogger('info') },
  ];
  const times = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  for (const m of modes) await once(makeGraph({ size: 200, seed: 4 }), m);
  for (let round = 0; round < rounds; round++) {
    for (const m of rotate(modes, round)) times.get(m.name)!.push(await once(graph, m));
  }
  process.send!({ size, times: Object.fromEntries(times) });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
