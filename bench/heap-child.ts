// Measures the heap one contestant keeps per started service: run as
// `node --expose-gc heap-child.js <contestant> <size>`, prints one JSON line.
import { makeGraph } from './graph';
import { zeroLatency } from './hooks';
import { contestant } from './peers';
import { collect } from './stats';

/** The V8 heap, and the typed arrays' memory outside it (which `heapUsed` leaves out), after GC. */
function settledHeap(): { heap: number; outside: number } {
  for (let i = 0; i < 4; i++) collect();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, outside: m.arrayBuffers };
}

async function main(): Promise<void> {
  const [name, sizeArg] = process.argv.slice(2);
  const c = contestant(name!);
  const size = Number(sizeArg);
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with --expose-gc');
  const graph = makeGraph({ size, seed: 1 });
  const hooks = zeroLatency();
  // load the peer's modules and warm its code before the baseline, so only the services count
  const warm = makeGraph({ size: 50, seed: 2 });
  if (c.boot) await (await c.boot(warm, hooks)).stop();
  else await (await c.build!(warm)).dispose();
  const before = settledHeap();
  const held = c.boot ? await c.boot(graph, hooks) : await c.build!(graph);
  const after = settledHeap();
  const bytesPerService = (after.heap - before.heap) / size;
  const outsidePerService = (after.outside - before.outside) / size;
  process.stdout.write(`${JSON.stringify({ name, size, bytesPerService, outsidePerService, how: c.boot ? 'started' : 'built' })}\n`);
  // keep the container alive until after the measurement
  if (held === undefined) throw new Error('unreachable');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
