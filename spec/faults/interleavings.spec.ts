import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, BootError, Container, ShutdownError } from '../../lib';
import { flush, within } from './support/faults';
import { Monitor, prng, randomGraph, registerGraph, type RandomService } from './support/random-graph';

const SEEDS = 25;
const LOSS_SEEDS = 15;
const CALLS = 100;

type Call = 'startAll' | 'stopAll' | 'start' | 'ready' | 'restart' | 'lose';

/**
 * One call at a random moment within the first 40ms; resolves to a problem, or undefined.
 * `pending` holds it while it runs, to name the calls of a hang. With `monitor`, a fifth of the
 * calls are losses: the target's next health check fails.
 */
function schedule(container: Container, graph: readonly RandomService[], random: () => number, pending: Set<string>, monitor?: Monitor): Promise<string | undefined> {
  const r = random();
  const call: Call = monitor && random() < 0.2 ? 'lose' : r < 0.25 ? 'startAll' : r < 0.47 ? 'stopAll' : r < 0.67 ? 'start' : r < 0.85 ? 'ready' : 'restart';
  const target = graph[Math.floor(random() * graph.length)]!.name;
  const delay = Math.floor(random() * 40);
  const timeout = random() < 0.3 ? 2 + Math.floor(random() * 30) : undefined;
  const abortAfter = random() < 0.2 ? Math.floor(random() * 20) : undefined;
  return new Promise((resolve) => {
    setTimeout(() => {
      const signal = abortAfter === undefined ? undefined : AbortSignal.timeout(abortAfter);
      const options = { ...(timeout === undefined ? {} : { timeout }), ...(signal ? { signal } : {}) };
      if (call === 'lose') return (monitor?.sick.add(target), resolve(undefined));
      const name = `${call}(${target}, ${JSON.stringify({ timeout, abortAfter })}) at ${delay}ms`;
      pending.add(name);
      const promise: Promise<unknown> =
        call === 'startAll' ? container.startAll(options)
        : call === 'stopAll' ? container.stopAll(options)
        : call === 'start' ? container.start(target, options)
        : call === 'restart' ? container.restart(target, options)
        : container.ready(target, { signal: signal ?? AbortSignal.timeout(5 + Math.floor(random() * 60)) });
      promise.then(
        () => (pending.delete(name), resolve(undefined)),
        (error: unknown) => (pending.delete(name), resolve(expected(call, error) ? undefined : `${call}(${target}) rejected with ${String(error)}`)),
      );
    }, delay);
  });
}

/** The rejections each call may legitimately end with. */
function expected(call: Call, error: unknown): boolean {
  switch (call) {
    case 'startAll':
      return error instanceof BootError;
    case 'stopAll':
      return error instanceof ShutdownError;
    case 'start':
    case 'restart':
      return error instanceof BootError || error instanceof BandmasterError;
    case 'ready':
      return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
    case 'lose':
      return false;
  }
}

/** Resolves once no service has been waiting, starting or stopping for 30ms (supervised restarts run in the background). */
async function settledDown(container: Container): Promise<void> {
  for (let calm = 0; calm < 30; calm += 5) {
    await new Promise((r) => setTimeout(r, 5));
    if (container.status().some((s) => s.state === 'waiting' || s.state === 'starting' || s.state === 'stopping')) calm = -5;
  }
}

/** With no call running: no service is mid-transition, and states agree with what the hooks saw. */
function checkQuiescent(container: Container, graph: readonly RandomService[], monitor: Monitor): string[] {
  const problems: string[] = [];
  const state = new Map(container.status().map((s) => [s.name, s.state]));
  for (const s of graph) {
    const st = state.get(s.name)!;
    if (st === 'waiting' || st === 'starting' || st === 'stopping') problems.push(`${s.name} is still ${st}`);
    const live = monitor.liveCount(s.name);
    if ((st === 'started') !== (live === 1)) problems.push(`${s.name} is ${st} with ${live} live instance(s)`);
    if (st !== 'started') continue;
    for (const d of s.deps) if (!d.optional && state.get(d.name) !== 'started') problems.push(`${s.name} is started but its dependency ${d.name} is ${state.get(d.name)}`);
  }
  return problems;
}

/** What the supervised runs saw: losses, and the restarts and give-ups they led to. */
const supervision = { lost: 0, restarted: 0, given: 0 };

/** One seeded run: the calls, then the invariants, then a clean stop, start and stop; resolves to its number of services. */
async function runSeed(seed: number, supervised: boolean): Promise<number> {
  const random = prng(seed);
  const graph = randomGraph(random);
  const monitor = new Monitor();
  // supervised: every service is polled every 3ms, and one failed check is a loss
  const container = new Container({ logger: false, ...(supervised ? { healthInterval: 3, healthFailures: 1 } : {}) });
  registerGraph(container, graph, monitor, random, supervised);
  if (supervised) {
    container.events.on((e) => {
      if (e.type === 'lost') supervision.lost++;
      else if (e.type === 'restarted') supervision.restarted++;
      else if (e.type === 'restart-failed') supervision.given++;
    });
  }

  const pending = new Set<string>();
  const calls = Array.from({ length: CALLS }, () => schedule(container, graph, random, pending, supervised ? monitor : undefined));
  const settled = await within(Promise.all(calls), 20_000, `seed ${seed}: the calls`).catch((error: Error) => {
    const states = container.status().map((s) => `${s.name} ${s.state}`).join(', ');
    throw new Error(`${error.message}; still running: ${[...pending].join('; ')}; states: ${states}`);
  });
  const problems = settled.filter((p) => p !== undefined);
  // instances given up on are stopped in the background, as are supervised restarts: let that finish
  monitor.sick.clear();
  await flush(10);
  if (supervised) await within(settledDown(container), 10_000, `seed ${seed}: supervised restarts`);
  problems.push(...checkQuiescent(container, graph, monitor));

  monitor.faults = false;
  await within(container.stopAll(), 5_000, `seed ${seed}: clean stopAll`);
  assert.ok(container.status().every((s) => s.state === 'stopped' || s.state === 'idle'), `seed ${seed}: everything stopped`);
  await within(container.startAll(), 5_000, `seed ${seed}: clean startAll`);
  assert.ok(container.status().every((s) => s.state === 'started'), `seed ${seed}: everything started again`);
  await within(container.stopAll(), 5_000, `seed ${seed}: final stopAll`);
  problems.push(...checkQuiescent(container, graph, monitor));

  assert.deepEqual([...problems, ...monitor.violations], [], `seed ${seed} (${graph.length} services)`);
  assert.ok(monitor.onStartCalls >= graph.length, `seed ${seed}: the hooks ran`);
  return graph.length;
}

describe('fault injection: random interleavings', () => {
  it(`${SEEDS} seeded runs of ${CALLS} concurrent startAll/stopAll/start/ready/restart calls over random graphs keep every invariant`, async () => {
    let services = 0;
    for (let seed = 1; seed <= SEEDS; seed++) services += await runSeed(seed, false);
    assert.ok(services >= SEEDS * 4);
  });

  it(`${LOSS_SEEDS} seeded runs of the same calls and of losses of supervised services (health polls, restarts, give-ups) keep every invariant`, async () => {
    let services = 0;
    for (let seed = 101; seed < 101 + LOSS_SEEDS; seed++) services += await runSeed(seed, true);
    assert.ok(services >= LOSS_SEEDS * 4);
    // the losses happened, and led to restarts and to give-ups (restart-failed also counts restarts a stopAll ended)
    assert.ok(supervision.lost >= LOSS_SEEDS, `${supervision.lost} losses`);
    assert.ok(supervision.restarted > 0 && supervision.given > 0, JSON.stringify(supervision));
    console.log(`# supervised runs: ${JSON.stringify(supervision)}`);
  });
});
