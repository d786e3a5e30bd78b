// Measured zero-latency lifecycles of one contestant, in a process of its own: run as
// `node --expose-gc scale-child.js <contestant> <size>`, prints one JSON line
// { boot, stop, cpu, cpuFirst }. The process keeps a stopped instance of up to 1,000 services
// alive, as the in-process rounds do (see bench/cases/lifecycle.ts), and warms up at the measured
// size first; what it leaves out is every other container's code, JIT feedback and heap.
//
// A sample is the mean of a batch of lifecycles covering at least 10,000 services, back to back
// after one full GC: ten at 1,000 services, one at 10,000 and above. A single 1,000-service
// lifecycle takes 1-4 ms and mostly ends before the first young-generation GC, or pays one whole
// in a few runs; its "growth" to 10k then measured the GC, not the scheduler (the ideal itself
// read 6x to 32x across runs). Batched, every size pays for the garbage it makes. The first
// lifecycle of the batch alone is reported too (`cpuFirst`), for the old figure.
import { bootAndStop, type LifecycleTimes } from './cases/lifecycle';
import { makeGraph } from './graph';
import { zeroLatency } from './hooks';
import { contestant } from './peers';

/** Services a sample covers at least: lifecycles of smaller graphs are measured in batches. */
const BATCH_SERVICES = 10_000;

/**
 * Unmeasured runs at the measured size first: at least eight and at least 100,000 services in
 * all, cut short once they took {@link WARM_MS} (after three at least) so that the slowest peers
 * do not take minutes. Traced run by run at 10k (CPU ms), bandmaster read 190-300, 160-210,
 * 100-120, 65-115, 40-70, then settled at 30-55 from about the seventh run: four warm-up runs,
 * as before, measured it while still compiling. The ideal settles after two or three.
 */
function warmRuns(size: number): number {
  return Math.max(8, Math.ceil(100_000 / size));
}

/** Warm-up time after which no further warm-up run starts. */
const WARM_MS = 4_000;

async function main(): Promise<void> {
  const [name, sizeArg] = process.argv.slice(2);
  const c = contestant(name!);
  const size = Number(sizeArg);
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with --expose-gc');
  const anchor = await c.boot!(makeGraph({ size: Math.min(size, 1000), seed: 3 }), zeroLatency());
  await anchor.stop();
  const warm = makeGraph({ size, seed: 7 });
  const warmStart = performance.now();
  for (let i = 0; i < warmRuns(size); i++) {
    if (i >= 3 && performance.now() - warmStart > WARM_MS) break;
    await bootAndStop(c, warm, zeroLatency());
  }
  const graph = makeGraph({ size, seed: 42 });
  const batch = Math.max(1, Math.round(BATCH_SERVICES / size));
  const first = await bootAndStop(c, graph, zeroLatency());
  let boot = first.boot;
  let stop = first.stop;
  let cpu = first.cpu;
  for (let i = 1; i < batch; i++) {
    const next = await bootAndStop(c, graph, zeroLatency(), false);
    boot += next.boot;
    stop += next.stop;
    cpu += next.cpu;
  }
  const measured: LifecycleTimes = { boot: boot / batch, stop: stop / batch, cpu: cpu / batch, cpuFirst: first.cpu };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  // the anchor lives until after the measurement
  if (anchor === undefined) throw new Error('unreachable');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
