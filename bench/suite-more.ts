import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coldStart, loggingTimes } from './cases/children';
import { measureResolve } from './cases/resolve';
import { makeGraph } from './graph';
import { bandmaster, contestants } from './peers';
import type { Results } from './report';
import type { SuiteConfig } from './suite';
import { ratios, rotate, summarize, type Summary } from './stats';
import { FROM_PINO, NOOP_LISTENER, PINO_ALONE, PINO_LISTENER, STDOUT_ALONE } from './logging-names';

const OURS = bandmaster.name;

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
  InversifyJS: 'inversify',
  Effect: 'effect',
  'NestJS async factories': 'nest',
  'NestJS onModuleInit': 'nest',
  'NestJS module per service': 'nest',
  avvio: 'avvio',
};

/**
 * A cold start, as every deploy, autoscaling event and test file pays it: a fresh process loads
 * the container, then registers, starts and stops an application-sized graph once (zero-latency
 * hooks). Information, no goal: what it shows is mostly module loading and code that runs before
 * the JIT has seen it, which the warm cases leave out. The ideal, which loads nothing, is Node's
 * own start-up.
 */
export async function coldCase(results: Results, config: SuiteConfig): Promise<void> {
  const size = 50;
  const kase = `cold start: fresh process, load + register + start + stop ${size} services (zero latency)`;
  config.log(`${kase}: ${config.rounds} rounds`);
  const who = contestants.filter((c) => c.boot && ADAPTERS[c.name] !== undefined);
  const wall = new Map<string, number[]>(who.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(who.map((c) => [c.name, []]));
  const failed = new Map<string, string>();
  for (let round = 0; round < config.rounds; round++) {
    for (const c of rotate(who, round)) {
      if (failed.has(c.name)) continue;
      try {
        const r = await coldStart(ADAPTERS[c.name]!, c.name, size);
        wall.get(c.name)!.push(r.wall);
        cpu.get(c.name)!.push(r.cpu);
      } catch (err) {
        failed.set(c.name, String(err).slice(0, 80));
      }
    }
  }
  const floor = wall.get('ideal')!;
  for (const c of who) {
    if (failed.has(c.name)) {
      results.missing(kase, c.name, `failed: ${failed.get(c.name)!}`);
      continue;
    }
    const added = summarize(wall.get(c.name)!.map((w, i) => w - floor[i]!));
    const note = c.name === 'ideal' ? "Node's start-up: the floor" : `+${added.median.toFixed(0)} ms over Node's start-up; CPU ${summarize(cpu.get(c.name)!).median.toFixed(0)} ms`;
    results.timeRow(kase, c.name, wall.get(c.name)!, floor, note);
    results.record(`${kase}: ms over the ideal`, c.name, added);
  }
}

/** Contestants named in the table, for the README. */
export const contestantNames = contestants.map((c) => c.name);
