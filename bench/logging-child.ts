// Measures what the default winston logger and fromPino cost per service. Run with stdout sent to
// /dev/null or a file (never the terminal); results go to the parent over IPC.
import 'reflect-metadata';
import pino from 'pino';
import { Container, createDefaultLogger, fromPino, setGlobalLogger, type AnyDefinition, type LifecycleListener, type Logger } from '../lib';
import { FROM_PINO, NOOP_LISTENER, PINO_ALONE, PINO_LISTENER, STDOUT_ALONE } from './logging-names';
import { makeGraph, makeService, type Graph } from './graph';
import { collect, rotate } from './stats';

/** How the container logs in one mode: its own option, and the global logger. */
interface Mode {
  readonly name: string;
  readonly option: Logger | false | undefined;
  readonly global: Logger | false;
  /** A listener subscribed before registering, if any. */
  readonly listener?: LifecycleListener;
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
  const container = new Container(mode.option === undefined ? {} : { logger: mode.option });
  if (mode.listener) container.events.on(mode.listener);
  container.register(...definitions(graph));
  await container.startAll();
  await container.stopAll();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * The floor of the fromPino mode: the container's lines at info written straight with pino, the
 * same messages and fields (durations made up), and nothing else; plus `logger: false`'s run, so
 * that its figure over `logger: false` is pino's own cost.
 */
async function pinoAlone(graph: Graph, logger: pino.Logger): Promise<number> {
  const { names } = graph;
  const off = await once(graph, { name: 'logger: false', option: false, global: false });
  collect();
  const before = process.cpuUsage();
  for (const service of names) {
    logger.info({ service, attempt: 1 }, 'starting service...');
    logger.info({ service, required: true, attempt: 1, durationMs: 0.1 }, 'service successfully started');
  }
  for (const service of names) {
    logger.info({ service, attempt: 1 }, 'stopping service...');
    logger.info({ service, required: true, durationMs: 0.1 }, 'service successfully stopped');
  }
  const used = process.cpuUsage(before);
  return off + (used.user + used.system) / 1000;
}

/** The floor of the default logger's info mode: its 4 lines per service (made up durations) written with process.stdout.write. */
async function stdoutAlone(graph: Graph): Promise<number> {
  const off = await once(graph, { name: 'logger: false', option: false, global: false });
  collect();
  const before = process.cpuUsage();
  const q = (s: string): string => JSON.stringify(s);
  for (const service of graph.names) {
    process.stdout.write(`{"level":"info","msg":"starting service...","service":${q(service)},"attempt":1}\n`);
    process.stdout.write(`{"level":"info","msg":"service successfully started","service":${q(service)},"required":true,"attempt":1,"durationMs":0.1}\n`);
  }
  for (const service of graph.names) {
    process.stdout.write(`{"level":"info","msg":"stopping service...","service":${q(service)},"attempt":1}\n`);
    process.stdout.write(`{"level":"info","msg":"service successfully stopped","service":${q(service)},"required":true,"durationMs":0.1}\n`);
  }
  const used = process.cpuUsage(before);
  return off + (used.user + used.system) / 1000;
}

/** The 4 frequent events written with pino straight from a listener: the same messages and fields as the container's logger. */
function pinoListener(logger: pino.Logger): LifecycleListener {
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  return (e) => {
    const { service } = e;
    switch (e.type) {
      case 'starting':
        return void logger.info({ service, attempt: e.attempt }, 'starting service...');
      case 'started':
        return void logger.info({ service, required: e.required, attempt: e.attempt, durationMs: round(e.durationMs) }, 'service successfully started');
      case 'stopping':
        return void logger.info({ service, attempt: e.attempt }, 'stopping service...');
      case 'stopped':
        return void logger.info({ service, required: e.required, durationMs: round(e.durationMs) }, 'service successfully stopped');
      default:
        return undefined;
    }
  };
}

/**
 * pino writing each line synchronously to stdout (`pino.destination()`'s default): its default
 * destination (`pino()`) hands lines to libuv's thread pool, whose CPU a mode would count in
 * whichever mode runs next, and whose buffering differs between a burst and a boot's spread.
 */
function syncPino(): pino.Logger {
  return pino(pino.destination({ dest: 1, sync: true }));
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
    { name: FROM_PINO, option: fromPino(syncPino()), global: false },
    { name: PINO_ALONE, option: undefined, global: false },
    { name: NOOP_LISTENER, option: false, global: false, listener: () => undefined },
    { name: PINO_LISTENER, option: false, global: false, listener: pinoListener(syncPino()) },
    { name: STDOUT_ALONE, option: undefined, global: false },
  ];
  const alone = syncPino();
  const run = (g: Graph, m: Mode): Promise<number> => (m.name === PINO_ALONE ? pinoAlone(g, alone) : m.name === STDOUT_ALONE ? stdoutAlone(g) : once(g, m));
  const times = new Map<string, number[]>(modes.map((m) => [m.name, []]));
  for (const m of modes) await run(makeGraph({ size: 200, seed: 4 }), m);
  for (let round = 0; round < rounds; round++) {
    for (const m of rotate(modes, round)) times.get(m.name)!.push(await run(graph, m));
  }
  process.send!({ size, times: Object.fromEntries(times) });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
