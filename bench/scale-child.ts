// One measured zero-latency lifecycle of one contestant, in a process of its own: run as
// `node --expose-gc scale-child.js <contestant> <size>`, prints one JSON line { boot, stop, cpu }.
// The process keeps a stopped instance of up to 1,000 services alive, as the in-process rounds do
// (see bench/cases/lifecycle.ts), and warms up at the measured size first; what it leaves out is
// every other container's code, JIT feedback and heap.
import { bootAndStop } from './cases/lifecycle';
import { makeGraph } from './graph';
import { zeroLatency } from './hooks';
import { contestant } from './peers';

/**
 * Unmeasured runs at the measured size first, at least four and at least 20,000 services in all:
 * bandmaster's code settled (no more deoptimisation) after three or four 10k runs, ~100 ms for the
 * first and 13-23 ms from the fourth on; four runs of 1,000 were not enough.
 */
function warmRuns(size: number): number {
  return Math.max(4, Math.ceil(20_000 / size));
}

async function main(): Promise<void> {
  const [name, sizeArg] = process.argv.slice(2);
  const c = contestant(name!);
  const size = Number(sizeArg);
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with --expose-gc');
  const anchor = await c.boot!(makeGraph({ size: Math.min(size, 1000), seed: 3 }), zeroLatency());
  await anchor.stop();
  const warm = makeGraph({ size, seed: 7 });
  for (let i = 0; i < warmRuns(size); i++) await bootAndStop(c, warm, zeroLatency());
  const measured = await bootAndStop(c, makeGraph({ size, seed: 42 }), zeroLatency());
  process.stdout.write(`${JSON.stringify(measured)}\n`);
  // the anchor lives until after the measurement
  if (anchor === undefined) throw new Error('unreachable');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
