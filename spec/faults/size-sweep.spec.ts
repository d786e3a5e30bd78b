import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, type AnyDefinition } from '../../lib';

/** Sizes of the sweep; the ratio of times between sizes must stay near the ratio of sizes. */
const SIZES = [1_000, 10_000, 100_000, 200_000] as const;
/** Longest message any error, report line or text title may have. */
const MESSAGE_BOUND = 4_000;

type Shape = 'chain' | 'star' | 'fan-in' | 'cycle';

const name = (i: number): string => `s${i}`;
const fail = (): never => {
  throw new Error('connect ECONNREFUSED 127.0.0.1:1');
};

/**
 * chain: s0 fails, s(i) depends on s(i-1); star: s0 depends (start order) on every other service; fan-in: every
 * other service depends on s0; cycle: s(i) depends on s(i+1), the last on s0.
 */
function definitions(shape: Shape, size: number): AnyDefinition[] {
  const defs: AnyDefinition[] = [];
  switch (shape) {
    case 'chain':
      defs.push({ name: name(0), useFactory: fail });
      for (let i = 1; i < size; i++) defs.push({ name: name(i), useFactory: () => i, deps: [name(i - 1)] });
      break;
    case 'star':
      // start-order dependencies: a factory cannot take 200,000 arguments (that is an InvalidDefinition)
      defs.push({ name: name(0), useFactory: () => 0, dependsOn: Array.from({ length: size - 1 }, (_, i) => name(i + 1)) });
      for (let i = 1; i < size; i++) defs.push({ name: name(i), useValue: i });
      break;
    case 'fan-in':
      defs.push({ name: name(0), useValue: 0 });
      for (let i = 1; i < size; i++) defs.push({ name: name(i), useFactory: () => i, deps: [name(0)] });
      break;
    case 'cycle':
      for (let i = 0; i < size; i++) defs.push({ name: name(i), useFactory: () => i, deps: [name((i + 1) % size)] });
      break;
  }
  return defs;
}

interface Outcome {
  readonly ms: number;
  readonly largestMessage: number;
}

/** Registers, boots, renders every view and stops one graph; returns the time and the largest message. */
async function run(shape: Shape, size: number): Promise<Outcome> {
  const t0 = performance.now();
  const c = new Container({ logger: false });
  // one at a time: spreading 200,000 arguments overflows the call stack
  for (const definition of definitions(shape, size)) c.register(definition);
  const outcome = await c.startAll().then((report) => ({ report, error: undefined }), (error: unknown) => ({ report: undefined, error }));
  const report = outcome.error instanceof BootError ? outcome.error.report : outcome.report;
  assert.ok(report, `${shape} ${size}: startAll neither resolved nor rejected with a BootError: ${String(outcome.error)}`);
  const table = report.toString();
  const timeline = c.timeline();
  const text = timeline.toText();
  const svg = timeline.toSvg();
  const graph = c.graph();
  const dot = graph.toDot();
  const status = c.status();
  await c.stopAll();
  const ms = performance.now() - t0;

  const messages = [...status.map((s) => s.error?.message ?? ''), outcome.error instanceof Error ? outcome.error.message : '', text.split('\n', 1)[0]!, svg.split('\n', 4)[2]!, svg.split('\n', 4)[3]!];
  const largestMessage = messages.reduce((max, m) => Math.max(max, m.length), 0);
  assert.ok(largestMessage < MESSAGE_BOUND, `${shape} ${size}: a message of ${largestMessage} characters`);
  assert.ok(table.split('\n').length >= size && dot.length > size, `${shape} ${size}: the views hold every service`);
  if (shape === 'cycle') {
    assert.ok(outcome.error instanceof BootError);
    assert.equal(outcome.error.errors[0]?.cycle?.length, size + 1);
  }
  if (shape === 'chain') assert.equal(status.at(-1)?.error?.rootCause?.service, name(0));
  return { ms, largestMessage };
}

describe('size sweep', () => {
  for (const shape of ['chain', 'star', 'fan-in', 'cycle'] as const) {
    it(`grows linearly on a ${shape} from 1k to 200k services, with bounded messages`, async () => {
      await run(shape, 1_000); // warm up: the first run pays for compilation
      const times: number[] = [];
      const largest: number[] = [];
      for (const size of SIZES) {
        const outcome = await run(shape, size);
        times.push(outcome.ms);
        largest.push(outcome.largestMessage);
      }
      console.log(`# ${shape}: ${SIZES.map((s, i) => `${s / 1000}k ${Math.round(times[i]!)} ms`).join(', ')}; largest message ${Math.max(...largest)} chars`);
      // quadratic growth makes 10k -> 200k 400x; linear is 20x: allow up to 60x for noise and GC
      const ratio = times[3]! / Math.max(times[1]!, 1);
      assert.ok(ratio < 60, `${shape}: 10k took ${Math.round(times[1]!)} ms, 200k ${Math.round(times[3]!)} ms (${ratio.toFixed(1)}x for 20x the services)`);
    });
  }
});
