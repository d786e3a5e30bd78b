import { seededRandom } from './graph';

/** The async start and stop work of each service, identical for every contestant. */
export interface Hooks {
  start(i: number): Promise<void>;
  stop(i: number): Promise<void>;
  readonly label: string;
}

const resolved = (): Promise<void> => Promise.resolve();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Hooks that resolve at once: measures the container, not the work. */
export function zeroLatency(): Hooks {
  return { start: resolved, stop: resolved, label: 'zero latency' };
}

/** Every start and stop takes `ms` (a timer). */
export function fixedLatency(ms: number): Hooks {
  const wait = (): Promise<void> => sleep(ms);
  return { start: wait, stop: wait, label: `${ms} ms` };
}

/** Each service takes its own seeded delay in [min, max] ms, the same for start and stop. */
export function jitteredLatency(size: number, seed: number, min: number, max: number): Hooks {
  const random = seededRandom(seed);
  const ms = Array.from({ length: size }, () => min + Math.floor(random() * (max - min + 1)));
  return { start: (i) => sleep(ms[i]!), stop: (i) => sleep(ms[i]!), label: `${min}-${max} ms` };
}
