import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, BootError, Container, ShutdownError } from '../../lib';
import { flush, within } from './support/faults';
import { Monitor, prng, randomGraph, registerGraph, type RandomService } from './support/random-graph';

const SEEDS = 25;
const CALLS = 100;

type Call = 'startAll' | 'stopAll' | 'start' | 'ready' | 'restart';

/** One call at a random moment within the first 40ms; resolves to a problem, or undefined. `pending` holds it while it runs, to name the calls of a hang. */
function schedule(container: Container, graph: readonly RandomService[], random: () => number, pending: Set<string>): Promise<string | undefined> {
  const r = random();
  const call: Call = r < 0.25 ? 'startAll' : r < 0.47 ? 'stopAll' : r < 0.67 ? 'start' : r < 0.85 ? 'ready' : 'restart';
  const target = graph[Math.floor(random() * graph.length)]!.name;
  const delay = Math.floor(random() * 40);
  const timeout = random() < 0.3 ? 2 + Math.floor(random() * 30) : undefined;
  const abortAfter = random() < 0.2 ? Math.floor(random() * 20) : undefined;
  return new Promise((resolve) => {
    setTimeout(() => {
      const signal = abortAfter === undefined ? undefined : AbortSignal.timeout(abortAfter);
      const options = { ...(timeout === undefined ? {} : { timeout }), ...(signal ? { signal } : {}) };
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

describe('fault injection: random interleavings', () => {
  it(`${SEEDS} seeded runs of ${CALLS} concurrent startAll/stopAll/start/ready/restart calls over random graphs keep every invariant`, async () => {
    let services = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = prng(seed);
      const graph = randomGraph(random);
      services += graph.length;
      const monitor = new Monitor();
      const container = new Container({ logger: false });
      registerGraph(container, graph, monitor, random);

      const pending = new Set<string>();
      const calls = Array.from({ length: CALLS }, () => schedule(container, graph, random, pending));
      const settled = await within(Promise.all(calls), 20_000, `seed ${seed}: the calls`).catch((error: Error) => {
        const states = container.status().map((s) => `${s.name} ${s.state}`).join(', ');
        throw new Error(`${error.message}; still running: ${[...pending].join('; ')}; states: ${states}`);
      });
      const problems = settled.filter((p) => p !== undefined);
      // instances given up on are stopped in the background: let that finish
      await flush(10);
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
    }
    assert.ok(services >= SEEDS * 4);
  });
});
