// A cold start, as a deploy pays it: run as `node cold-child.js <adapter file> <contestant> <size>`
// in a fresh process; loads that one adapter (and, through it, its container), registers, starts
// and stops a graph of `size` services with zero-latency hooks once, and prints one JSON line
// { wall, cpu }: ms since the process began (Node's own start-up included, the same for everyone:
// the ideal scheduler, which loads nothing, is that floor) and CPU ms of the whole process.
// Nothing is warm: no JIT feedback, no module cache. The `bandmaster` adapter loads lib's modules
// as tsc emits them; `bandmaster-package` loads the package's main bundle (dist/bundle/index.js,
// through `require('bandmaster')`), as an application that installed bandmaster does.
import type { Contestant } from './contestant';
import { makeGraph } from './graph';
import { zeroLatency } from './hooks';

async function main(): Promise<void> {
  const [file, name, sizeArg] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const adapters = require(`./peers/${file!}`) as Record<string, Contestant | undefined>;
  const c = Object.values(adapters).find((x) => typeof x === 'object' && x?.name === name);
  if (!c?.boot) throw new Error(`no contestant ${name} in peers/${file}`);
  const booted = await c.boot(makeGraph({ size: Number(sizeArg), seed: 42 }), zeroLatency());
  await booted.stop();
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ wall: performance.now(), cpu: (cpu.user + cpu.system) / 1000 })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
