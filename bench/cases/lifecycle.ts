import type { Booted, Contestant } from '../contestant';
import { makeGraph, type Graph } from '../graph';
import { zeroLatency, type Hooks } from '../hooks';
import { collect, rotate } from '../stats';

/** Boot and stop times (ms) of one contestant, one entry per round; `error` when it could not run. */
export interface LifecycleSample {
  readonly boot: number[];
  readonly stop: number[];
  /** CPU time (ms, all threads) of boot + stop: steadier than wall time on a shared machine. */
  readonly cpu: number[];
  /** Where a sample is the mean of a batch of lifecycles: the CPU time of the batch's first one alone. */
  cpuFirst?: number[];
  error?: string;
}

/** Options of {@link measureLifecycle}. */
export interface LifecycleOptions {
  readonly graph: Graph;
  readonly hooks: Hooks;
  readonly contestants: readonly Contestant[];
  readonly rounds: number;
}

/** Stopped instances held while a case runs: see {@link measureLifecycle}. */
let anchors: Booted[] = [];

/** One lifecycle's times (ms); `cpuFirst` for a batch mean (see {@link LifecycleSample}). */
export interface LifecycleTimes {
  readonly boot: number;
  readonly stop: number;
  readonly cpu: number;
  readonly cpuFirst?: number;
}

/**
 * One boot then stop; times in ms. Boot covers register + validate + start. A full GC first
 * unless `collectFirst` is false (the later lifecycles of a batch).
 */
export async function bootAndStop(c: Contestant, graph: Graph, hooks: Hooks, collectFirst = true): Promise<LifecycleTimes> {
  if (collectFirst) collect();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const booted = await c.boot!(graph, hooks);
  const t1 = performance.now();
  await booted.stop();
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { boot: t1 - t0, stop: t2 - t1, cpu: (cpu.user + cpu.system) / 1000 };
}

/**
 * Runs `measure` for every contestant that can boot, round after round, the order rotated each
 * round so that the ratios compare runs made side by side; a contestant that throws is dropped
 * with its error.
 */
export async function inRounds(
  contestants: readonly Contestant[],
  rounds: number,
  measure: (c: Contestant) => Promise<LifecycleTimes>,
  samples = new Map<string, LifecycleSample>(),
): Promise<Map<string, LifecycleSample>> {
  const live = contestants.filter((c) => c.boot);
  for (const c of live) if (!samples.has(c.name)) samples.set(c.name, { boot: [], stop: [], cpu: [] });
  for (let round = 0; round < rounds; round++) {
    for (const c of rotate(live, round)) {
      const sample = samples.get(c.name)!;
      if (sample.error) continue;
      try {
        const { boot, stop, cpu, cpuFirst } = await measure(c);
        sample.boot.push(boot);
        sample.stop.push(stop);
        sample.cpu.push(cpu);
        if (cpuFirst !== undefined) (sample.cpuFirst ??= []).push(cpuFirst);
      } catch (err) {
        sample.error = String(err);
      }
    }
  }
  return samples;
}

/**
 * Boots and stops the graph with every contestant in this process, after two unmeasured boots of
 * a 1,000-service graph (at most the graph's size) with zero-latency hooks (module loading, JIT).
 */
export async function measureLifecycle(options: LifecycleOptions): Promise<Map<string, LifecycleSample>> {
  const { graph, hooks, rounds } = options;
  const samples = new Map<string, LifecycleSample>();
  const warm = makeGraph({ size: Math.min(graph.size, 1000), seed: 7 });
  // One stopped instance of each contestant stays referenced until the case ends, as an
  // application holds its container for the life of the process. Without it, the full GC before
  // each run frees the hidden classes of the contestant's objects (no instance is left), and every
  // run deoptimises and recompiles the code that embedded them: bandmaster measured ~2.7x slower
  // at 10k services that way, the ideal ~1.3x.
  anchors = [];
  for (const c of options.contestants.filter((x) => x.boot)) {
    const sample: LifecycleSample = { boot: [], stop: [], cpu: [] };
    samples.set(c.name, sample);
    try {
      // zero latency: the same code paths, hot, without paying the peers' sequential seconds
      for (let i = 0; i < 2; i++) await bootAndStop(c, warm, zeroLatency());
      const anchor = await c.boot!(warm, zeroLatency());
      await anchor.stop();
      anchors.push(anchor);
    } catch (err) {
      sample.error = String(err);
    }
  }
  await inRounds(options.contestants, rounds, (c) => bootAndStop(c, graph, hooks), samples);
  anchors = [];
  return samples;
}
