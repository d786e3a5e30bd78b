import { heapOf, lifecycleAlone } from './cases/children';
import { inRounds, measureLifecycle, type LifecycleSample } from './cases/lifecycle';
import type { Contestant } from './contestant';
import { depth, makeGraph } from './graph';
import type { Hooks } from './hooks';
import { bandmaster, contestants, ideal, idealRegistered } from './peers';
import type { Results } from './report';
import { fmtMs, fmtRatio, ratios, summarize } from './stats';

/** How much of the suite to run. */
export interface SuiteConfig {
  readonly quick: boolean;
  readonly rounds: number;
  readonly log: (line: string) => void;
}

const OURS = bandmaster.name;
const IDEAL = ideal.name;
const REGISTERED = idealRegistered.name;

function withBoot(config: SuiteConfig, allowSlow: boolean): Contestant[] {
  return contestants.filter((c) => c.boot && (allowSlow || !c.slow) && !(config.quick && c.slow));
}

function noBootRows(results: Results, kase: string): void {
  for (const c of contestants) if (!c.boot) results.missing(kase, c.name, c.bootNote ?? 'cannot express it');
}

/** The 1,000-service DAG with async start and stop hooks: boot and shutdown against the ideal. */
export async function dagCase(results: Results, config: SuiteConfig, hooks: Hooks, allowSlow: boolean): Promise<void> {
  const graph = makeGraph({ size: 1000, seed: 42 });
  const kase = `1,000-service DAG, ${hooks.label} hooks`;
  // twice the rounds: a round's ratio swings by ±5% with timer jitter here, against a 3% goal
  const rounds = 2 * config.rounds;
  config.log(`${kase}: depth ${depth(graph)}, ${rounds} rounds`);
  const samples = await measureLifecycle({ graph, hooks, contestants: withBoot(config, allowSlow), rounds });
  const ref = samples.get(IDEAL)!;
  for (const phase of ['boot', 'stop'] as const) {
    for (const [name, sample] of samples) {
      if (sample.error) results.missing(`${kase}: ${phase}`, name, `failed: ${sample.error.slice(0, 80)}`);
      else results.timeRow(`${kase}: ${phase}`, name, sample[phase], ref[phase], phase === 'stop' ? (contestants.find((c) => c.name === name)?.stopNote ?? '') : '');
    }
    for (const c of contestants) if (c.boot && !samples.has(c.name)) results.missing(`${kase}: ${phase}`, c.name, 'slow (sequential): see the 5 ms case');
    noBootRows(results, `${kase}: ${phase}`);
  }
  if (hooks.label === '5 ms') {
    const ours = samples.get(OURS)!;
    for (const phase of ['boot', 'stop'] as const) {
      const r = summarize(ours[phase].map((t, i) => t / ref[phase][i]!));
      results.goal(`1,000-DAG ${phase} with 5 ms hooks <= 1.03x ideal`, r.median <= 1.03, `${r.median.toFixed(3)}x (${r.min.toFixed(3)}–${r.max.toFixed(3)})`);
    }
  }
}

/** Zero-latency register + validate + start + stop at 1k, 10k and 100k services (graph seed 42). */
export async function scaleCase(results: Results, config: SuiteConfig): Promise<void> {
  const medians = new Map<number, Map<string, number>>();
  const firsts = new Map<number, Map<string, number>>();
  const cpuRatios = new Map<number, number>();
  for (const size of [1_000, 10_000, 100_000]) {
    const who = size >= 100_000 ? [ideal, idealRegistered, bandmaster] : withBoot(config, size <= 1_000);
    const rounds = size >= 100_000 ? Math.max(2, Math.ceil(config.rounds / 2)) : config.rounds;
    const kase = `scale ${size.toLocaleString('en')}, zero latency: register+validate+start+stop`;
    config.log(`${kase}: ${rounds} rounds`);
    const samples = await lifecyclesAlone(who, size, rounds);
    const total = (name: string): number[] => samples.get(name)!.boot.map((b, i) => b + samples.get(name)!.stop[i]!);
    const cpu = (name: string): number[] => samples.get(name)!.cpu;
    const byName = new Map<string, number>();
    const firstByName = new Map<string, number>();
    for (const [name, sample] of samples) {
      if (sample.error) {
        results.missing(kase, name, `failed: ${sample.error.slice(0, 80)}`);
        continue;
      }
      const r = summarize(ratios(cpu(name), cpu(IDEAL)));
      const note = `CPU ${fmtMs(summarize(cpu(name)).median)}, ${fmtRatio(r.median)} ideal (${fmtRatio(r.min)}–${fmtRatio(r.max)})`;
      results.timeRow(kase, name, total(name), total(IDEAL), note);
      results.record(`${kase} (CPU)`, name, { medianMs: summarize(cpu(name)).median, ratio: r });
      byName.set(name, summarize(cpu(name)).median);
      if (sample.cpuFirst) firstByName.set(name, summarize(sample.cpuFirst).median);
    }
    for (const c of contestants) if (c.boot && !samples.has(c.name)) results.missing(kase, c.name, size >= 100_000 ? 'not run at 100k (time budget)' : 'slow: 1k only');
    medians.set(size, byName);
    firsts.set(size, firstByName);
    if (size >= 10_000 && samples.has(OURS) && !samples.get(OURS)!.error) {
      const wall = summarize(ratios(total(OURS), total(IDEAL)));
      const r = summarize(ratios(cpu(OURS), cpu(IDEAL)));
      cpuRatios.set(size, r.median);
      const limit = size === 10_000 ? 2 : 1.6;
      const measured = `${r.median.toFixed(2)}x CPU (${r.min.toFixed(2)}–${r.max.toFixed(2)}); wall ${wall.median.toFixed(2)}x`;
      const reference = size === 10_000 || !byName.has(REGISTERED) ? '' : `; ideal + registration ${fmtRatio(summarize(ratios(cpu(REGISTERED), cpu(IDEAL))).median)}`;
      results.goal(`${size / 1000}k zero-latency lifecycle <= ${limit}x ideal (CPU time)`, r.median <= limit, measured + reference);
    }
  }
  growthRows(results, medians, firsts);
  // the growth goal that replaced "100k/10k <= 11x": the ideal's own time grows faster than linear
  // there (GC, caches), so the goal is on the ratio to it, read at both sizes in the same run
  const at10k = cpuRatios.get(10_000);
  const at100k = cpuRatios.get(100_000);
  if (at10k !== undefined && at100k !== undefined) {
    results.goal('ratio to the ideal at 100k <= the ratio at 10k + 0.3 (CPU time)', at100k <= at10k + 0.3, `${at100k.toFixed(2)}x at 100k, ${at10k.toFixed(2)}x at 10k: +${(at100k - at10k).toFixed(2)}`);
  }
}

/**
 * Zero-latency lifecycles, each in a process of its own that holds only that contestant, warmed
 * at the measured size; contestants alternate within each round. In one shared process each
 * container ran among the others' code, JIT feedback and heap: the same bandmaster build measured
 * 3.3x the ideal there against 1.2-2x alone, and no application runs five containers at once.
 */
function lifecyclesAlone(who: readonly Contestant[], size: number, rounds: number): Promise<Map<string, LifecycleSample>> {
  return inRounds(who, rounds, (c) => lifecycleAlone(c.name, size));
}

/**
 * Growth of the median CPU time per lifecycle from one size to ten times it; the goal is read on
 * the batch means (see scale-child.ts), and the growth of a single lifecycle after a full GC, the
 * figure before batching, is shown beside it.
 */
function growthRows(results: Results, medians: Map<number, Map<string, number>>, firsts: Map<number, Map<string, number>>): void {
  const kase = 'scale growth (median CPU time ratio; 10x services, linear = 10x)';
  for (const [from, to] of [[1_000, 10_000], [10_000, 100_000]] as const) {
    for (const [name, t] of medians.get(to)!) {
      const base = medians.get(from)!.get(name);
      if (base === undefined) continue;
      const g = t / base;
      const first = (firsts.get(to)!.get(name) ?? NaN) / (firsts.get(from)!.get(name) ?? NaN);
      const single = Number.isFinite(first) ? `; a single lifecycle after a full GC: ${first.toFixed(2)}x` : '';
      results.rows.push({ case: kase, contestant: name, value: `${g.toFixed(2)}x`, range: '', ratio: '', note: `${to / 1000}k / ${from / 1000}k${single}` });
      results.record(kase, `${name} ${to / 1000}k/${from / 1000}k`, g);
      if (Number.isFinite(first)) results.record(`${kase}, single lifecycle`, `${name} ${to / 1000}k/${from / 1000}k`, first);
      // 100k/10k <= 11x is retired (issue "Performance, second round"): see scaleCase
      if (name === OURS && from === 1_000) results.goal(`growth ${to / 1000}k/${from / 1000}k <= 11x`, g <= 11, `${g.toFixed(2)}x${single}`);
    }
  }
  results.goal('100,000 services boot and stop', medians.get(100_000)!.has(OURS), medians.get(100_000)!.has(OURS) ? 'yes' : 'no');
}

/** Heap kept per started (or built) service after GC, each contestant in its own process. */
export async function heapCase(results: Results, config: SuiteConfig): Promise<void> {
  const size = 10_000;
  const rounds = config.quick ? 1 : 3;
  const kase = `heap per service after GC (${size.toLocaleString('en')} services)`;
  config.log(`${kase}: ${rounds} rounds`);
  const who = contestants.filter((c) => !c.slow || !config.quick);
  const bytes = new Map<string, number[]>(who.map((c) => [c.name, []]));
  const outside = new Map<string, number[]>(who.map((c) => [c.name, []]));
  const how = new Map<string, string>();
  const failed = new Map<string, string>();
  for (let round = 0; round < rounds; round++) {
    for (const c of who) {
      if (failed.has(c.name) || (c.slow && c.name.includes('module per service'))) continue;
      try {
        const r = await heapOf(c.name, size);
        bytes.get(c.name)!.push(r.bytesPerService);
        outside.get(c.name)!.push(r.outsidePerService);
        how.set(c.name, r.how);
      } catch (err) {
        failed.set(c.name, String(err).slice(0, 80));
      }
    }
  }
  for (const c of who) {
    if (failed.has(c.name)) results.missing(kase, c.name, failed.get(c.name)!);
    else if (bytes.get(c.name)!.length === 0) results.missing(kase, c.name, 'not run: 10k modules take minutes to scan');
    else {
      const kind = how.get(c.name) === 'built' ? 'built singletons (no lifecycle)' : 'started';
      const typed = summarize(outside.get(c.name)!).median;
      results.valueRow(kase, c.name, bytes.get(c.name)!, 'B', undefined, typed >= 1 ? `${kind}; +${typed.toFixed(0)} B in typed arrays outside the V8 heap` : kind);
    }
  }
  const ours = summarize(bytes.get(OURS)!);
  const typed = summarize(outside.get(OURS)!).median;
  const registered = bytes.get(REGISTERED)?.length ? ` (ideal + registration ${summarize(bytes.get(REGISTERED)!).median.toFixed(0)} B)` : '';
  const measured = `${ours.median.toFixed(0)} B, and ${typed.toFixed(0)} B of typed arrays outside the V8 heap${registered}`;
  results.goal('heap per started service <= 1 KB (after GC)', ours.median <= 1024, measured);
  results.goal('heap per started service <= 400 B (after GC)', ours.median <= 400, measured);
}
