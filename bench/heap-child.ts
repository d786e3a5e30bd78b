// Measures the heap one contestant keeps per started service: run as
// `node --expose-gc heap-child.js <contestant> <size>`, prints one JSON line.
import { makeGraph } from './graph';
import { zeroLatency } from './hooks';
import { contestant } from './peers';
import { collect } from './stats';

function settledHeap(): number {
  for (let i = 0; i < 4; i++) collect();
  return process.memoryUsage().heapUsed;
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
  process.stdout.write(`${JSON.stringify({ name, size, bytesPerService: (after - before) / size, how: c.boot ? 'started' : 'built' })}\n`);
  // keep the container alive until after the measurement
  if (held === undefined) throw new Error('unreachable');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
