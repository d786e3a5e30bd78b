import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { coldStart, loggingTimes } from './cases/children';
import { measureResolve } from './cases/resolve';
import { makeGraph } from './graph';
import { bandmaster, contestants } from './peers';
import type { Results } from './report';
import type { SuiteConfig } from './suite';
import { ratios, rotate, summarize, type Summary } from './stats';
import { FROM_PINO, NOOP_LISTENER, PINO_ALONE, PINO_LISTENER, STDOUT_ALONE } from './logging-names';

const OURS = bandmaster.name;
/** bandmaster from its package's main bundle (bench/peers/bandmaster-package.ts, loaded only in a cold child). */
const PACKAGE = 'bandmaster (package)';

/** ns per resolve of a built singleton; the ratio column is each container's time over bandmaster's. */
export async function resolveCase(results: Results, config: SuiteConfig): Promise<void> {
  const graph = makeGraph({ size: 1000, seed: 42 });
  const iterations = config.quick ? 500_000 : 2_000_000;
  const kase = 'resolve a built singleton (1,000 services, round robin)';
  config.log(`${kase}: ${config.rounds} rounds of ${iterations.toLocaleString('en')}`);
  const ns = await measureResolve({ graph, contestants, rounds: config.rounds, iterations });
  const ours = ns.get(OURS)!;
  for (const c of contestants) {
    const sample = ns.get(c.name);
    if (!sample) results.missing(kase, c.name, c.buildNote ?? 'cannot resolve by name');
    else results.valueRow(kase, c.name, sample, 'ns', ours, c.name === 'ideal' ? 'a Map.get: the floor' : '');
  }
  const rival = (name: string): number => summarize(ratios(ns.get(name)!, ours)).median;
  const atLeast = ['InversifyJS', 'awilix'].every((n) => rival(n) >= 1);
  const faster = ['tsyringe', 'TypeDI', 'NestJS async factories'].every((n) => rival(n) > 1);
  const detail = ['InversifyJS', 'awilix', 'tsyringe', 'TypeDI', 'NestJS async factories'].map((n) => `${n} ${rival(n).toFixed(2)}x`).join(', ');
  results.goal('resolve at least as fast as InversifyJS and awilix, faster than tsyringe, TypeDI, NestJS', atLeast && faster, `peer time / ours: ${detail}`);
}

/** What the default winston logger and fromPino cost per service, writing to /dev/null and to a file. */
export async function loggingCase(results: Results, config: SuiteConfig): Promise<void> {
  // large enough that the difference of two CPU times is more signal than noise
  const size = 10_000;
  const file = join(tmpdir(), `bandmaster-bench-${process.pid}.log`);
  for (const [sink, label] of [['/dev/null', '/dev/null'], [file, 'a file']] as const) {
    const kase = `logging, ${size.toLocaleString('en')} services zero latency, start+stop CPU time, stdout to ${label}`;
    config.log(`${kase}: ${config.rounds} rounds`);
    const times = await loggingTimes(sink, size, config.rounds);
    const off = times['logger: false']!;
    const perService = (mode: string): Summary => summarize(times[mode]!.map((x, i) => ((x - off[i]!) * 1000) / size));
    for (const [mode, t] of Object.entries(times)) {
      const us = perService(mode);
      const note = mode === 'logger: false' ? 'no listener' : `+${us.median.toFixed(1)} µs per service (${us.min.toFixed(1)}–${us.max.toFixed(1)}), 4 ${mode === PINO_ALONE || mode === STDOUT_ALONE ? 'calls' : 'events'}`;
      results.timeRow(kase, mode, t, off, note);
      results.record(`${kase}: µs per service over logger:false`, mode, us);
    }
    if (sink === '/dev/null') loggingGoals(results, times, size, perService);
  }
  rmSync(file, { force: true });
}

function loggingGoals(results: Results, times: Record<string, number[]>, size: number, perService: (mode: string) => Summary): void {
  const off = times['logger: false']!;
  const silent = summarize(times['default logger, level silent']!.map((x, i) => x / off[i]!));
  results.goal('logging off costs close to nothing (silent level vs logger:false)', silent.median <= 1.1, `${silent.median.toFixed(3)}x`);
  const info = perService('default logger, level info');
  const floor = perService(STDOUT_ALONE);
  results.goal(
    'info logging with the default winston logger <= 10 µs per service (4 lines, /dev/null)',
    info.median <= 10,
    `${info.median.toFixed(1)} µs (${info.min.toFixed(1)}–${info.max.toFixed(1)}); process.stdout.write alone writing the same 4 lines: ${floor.median.toFixed(1)} µs`,
  );
  const viaPino = perService(FROM_PINO);
  const alone = perService(PINO_ALONE);
  // pino alone writing the lines costs more than 3 µs: the goal is what bandmaster adds to it
  const over = summarize(times[FROM_PINO]!.map((x, i) => ((x - times[PINO_ALONE]![i]!) * 1000) / size));
  // where the rest goes: building and delivering the events (any listener pays it), and pino's
  // own lines written inside a running lifecycle rather than alone
  const noop = perService(NOOP_LISTENER);
  const byHand = summarize(times[FROM_PINO]!.map((x, i) => ((x - times[PINO_LISTENER]![i]!) * 1000) / size));
  results.goal(
    'info logging with fromPino: <= 3 µs per service over pino alone writing the same 4 lines (/dev/null)',
    over.median <= 3,
    `+${over.median.toFixed(1)} µs (${over.min.toFixed(1)}–${over.max.toFixed(1)}); fromPino ${viaPino.median.toFixed(1)} µs, pino alone ${alone.median.toFixed(1)} µs; ` +
      `of it: a no-op listener ${noop.median.toFixed(1)} µs, fromPino over pino from a hand-written listener ${byHand.median >= 0 ? '+' : ''}${byHand.median.toFixed(1)} µs`,
  );
}

/** The adapter module (under peers/) of each contestant that can boot, for a cold child to load alone. */
const ADAPTERS: Readonly<Record<string, string>> = {
  ideal: 'ideal',
  'ideal + registration': 'ideal',
  bandmaster: 'bandmaster',
  [PACKAGE]: 'bandmaster-package',
  InversifyJS: 'inversify',
  Effect: 'effect',
  'NestJS async factories': 'nest',
  'NestJS onModuleInit': 'nest',
  'NestJS module per service': 'nest',
  avvio: 'avvio',
};

/** Newest modification time (ms) of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Why the package row cannot run, if it cannot: its bundle is what `npm run build` wrote into
 * dist/bundle/ (the bench compiles lib on its own, not the bundle), so it must exist and be newer
 * than lib's and the decorators' sources, or the two rows would measure different code.
 */
function packageProblem(): string | undefined {
  let bundle: string;
  try {
    bundle = require.resolve('bandmaster');
  } catch {
    return 'bandmaster does not resolve: run npm run build';
  }
  // require.resolve found the file: only its age is left to check
  const root = join(dirname(bundle), '..', '..');
  const built = statSync(bundle).mtimeMs;
  if (['lib', 'decorators'].some((d) => newestSource(join(root, d)) > built)) return 'dist/bundle/ is older than lib/: run npm run build';
  return undefined;
}

/**
 * A cold start, as every deploy, autoscaling event and test file pays it: a fresh process loads
 * the container, then registers, starts and stops an application-sized graph once (zero-latency
 * hooks). What it shows is mostly module loading and code that runs before the JIT has seen it,
 * which the warm cases leave out. The ideal, which loads nothing, is Node's own start-up.
 * bandmaster runs twice: from lib's modules as tsc emits them (`bandmaster`, what the specs run)
 * and from the package's main bundle (`bandmaster (package)`, what `require('bandmaster')` loads
 * from node_modules); the goal is read on the package row.
 */
export async function coldCase(results: Results, config: SuiteConfig): Promise<void> {
  const size = 50;
  const kase = `cold start: fresh process, load + register + start + stop ${size} services (zero latency)`;
  config.log(`${kase}: ${config.rounds} rounds`);
  const names = contestants.filter((c) => c.boot && ADAPTERS[c.name] !== undefined).map((c) => c.name);
  names.splice(names.indexOf(OURS) + 1, 0, PACKAGE);
  const wall = new Map<string, number[]>(names.map((n) => [n, []]));
  const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
  const failed = new Map<string, string>();
  const unbuilt = packageProblem();
  if (unbuilt) failed.set(PACKAGE, unbuilt);
  for (let round = 0; round < config.rounds; round++) {
    for (const name of rotate(names, round)) {
      if (failed.has(name)) continue;
      try {
        const r = await coldStart(ADAPTERS[name]!, name, size);
        wall.get(name)!.push(r.wall);
        cpu.get(name)!.push(r.cpu);
      } catch (err) {
        failed.set(name, String(err).slice(0, 80));
      }
    }
  }
  const floor = wall.get('ideal')!;
  const over = (name: string): Summary => summarize(wall.get(name)!.map((w, i) => w - floor[i]!));
  for (const name of names) {
    if (failed.has(name)) {
      results.missing(kase, name, `failed: ${failed.get(name)!}`);
      continue;
    }
    const added = over(name);
    const note = name === 'ideal' ? "Node's start-up: the floor" : `+${added.median.toFixed(0)} ms over Node's start-up; CPU ${summarize(cpu.get(name)!).median.toFixed(0)} ms`;
    results.timeRow(kase, name, wall.get(name)!, floor, note);
    results.record(`${kase}: ms over the ideal`, name, added);
  }
  coldGoal(results, { size, over, failed, cpu, floorCpu: cpu.get('ideal')! });
}

function coldGoal(results: Results, o: { size: number; over: (name: string) => Summary; failed: Map<string, string>; cpu: Map<string, number[]>; floorCpu: number[] }): void {
  const goal = `cold start: load + register + start + stop ${o.size} services <= 10 ms over Node's start-up`;
  if (o.failed.has(PACKAGE) || o.failed.has('ideal')) {
    results.goal(goal, false, `not measured: ${o.failed.get(PACKAGE) ?? o.failed.get('ideal')!}`);
    return;
  }
  const pkg = o.over(PACKAGE);
  const cpuOver = (name: string): number => summarize(o.cpu.get(name)!.map((c, i) => c - o.floorCpu[i]!)).median;
  const lib = o.failed.has(OURS) ? 'not measured' : `+${o.over(OURS).median.toFixed(1)} ms (CPU +${cpuOver(OURS).toFixed(1)} ms)`;
  results.goal(
    goal,
    pkg.median <= 10,
    `package (main bundle) +${pkg.median.toFixed(1)} ms (${pkg.min.toFixed(1)}–${pkg.max.toFixed(1)}), CPU +${cpuOver(PACKAGE).toFixed(1)} ms; lib's modules unbundled ${lib}; medians over rounds, the ideal's process as the floor`,
  );
}

/** Contestants named in the table, for the README. */
export const contestantNames = contestants.map((c) => c.name);
