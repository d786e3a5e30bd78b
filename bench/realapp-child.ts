// The `app` case, in a process of its own (the client libraries stay out of the other cases):
// `node realapp-child.js <rounds>` boots and stops the real application (realapp/app.ts) with each
// contestant, rotated every round, and prints one JSON line: per contestant, boot and stop wall
// times (ms) and the CPU time (ms, all threads) of each boot; or `{ skipped }` naming the first
// server that does not answer.
import { makeApp, unreachableServer } from './realapp/app';
import { appContestants } from './realapp/contestants';
import { collect, rotate } from './stats';

interface Times {
  boot: number[];
  stop: number[];
  bootCpu: number[];
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 10);
  const down = await unreachableServer();
  if (down) {
    process.stdout.write(`${JSON.stringify({ skipped: `${down} does not answer (bash spec/support/services.sh starts the servers)` })}\n`);
    return;
  }
  const app = makeApp();
  const times = new Map<string, Times>(appContestants.map((c) => [c.name, { boot: [], stop: [], bootCpu: [] }]));
  // module loading, JIT, and the first connection of each server: not what a boot measures
  for (let i = 0; i < 3; i++) for (const c of appContestants) await (await c.boot(app)).stop();
  for (let round = 0; round < rounds; round++) {
    for (const c of rotate(appContestants, round)) {
      collect();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const booted = await c.boot(app);
      const t1 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      await booted.stop();
      const t2 = performance.now();
      const sample = times.get(c.name)!;
      sample.boot.push(t1 - t0);
      sample.stop.push(t2 - t1);
      sample.bootCpu.push((cpu.user + cpu.system) / 1000);
    }
  }
  process.stdout.write(`${JSON.stringify({ services: app.names.length, times: Object.fromEntries(times) })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
