import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coldStart, loggingTimes } from './cases/children';
import { measureResolve } from './cases/resolve';
import { makeGraph } from './graph';
import { bandmaster, contestants } from './peers';
import type { Results } from './report';
import type { SuiteConfig } from './suite';
import { ratios, rotate, summarize } from './stats';

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

/** What the default winston logger costs per service, writing to /dev/null and to a file. */
export async function loggingCase(results: Results, config: SuiteConfig): Promise<void> {
  // large enough that the difference of two CPU times is more signal than noise
  const size = 10_000;
  const file = join(tmpdir(), `bandmaster-bench-${process.pid}.log`);
  for (const [sink, label] of [['/dev/null', '/dev/null'], [file, 'a file']] as const) {
    const kase = `logging, ${size.toLocaleString('en')} services zero latency, start+stop CPU time, stdout to ${label}`;
    config.log(`${kase}: ${config.rounds} rounds`);
    const times = await loggingTimes(sink, size, config.rounds);
    const off = times['logger: false']!;
    for (const [mode, t] of Object.entries(times)) {
      const perService = summarize(t.map((x, i) => ((x - off[i]!) * 1000) / size));
      const note = mode === 'logger: false' ? 'no listener' : `+${perService.median.toFixed(1)} µs per service (${(perService.min).toFixed(1)}–${perService.max.toFixed(1)}), 4 events`;
      results.timeRow(kase, mode, t, off, note);
      results.record(`${kase}: µs per service over logger:false`, mode, perService);
    }
    if (sink === '/dev/null') {
      const silent = summarize(times['default logger, level silent']!.map((x, i) => x / off[i]!));
      results.goal('logging off costs close to nothing (silent level vs logger:false)', silent.median <= 1.1, `${silent.median.toFixed(3)}x`);
      const info = summarize(times['default logger, level info']!.map((x, i) => ((x - off[i]!) * 1000) / size));
      results.goal('info logging costs a bounded, measured amount per service', Number.isFinite(info.median), `${info.median.toFixed(1)} µs per service (4 lines)`);
    }
  }
  rmSync(file, { force: true });
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
