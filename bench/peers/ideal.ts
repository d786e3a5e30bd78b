import { IdealScheduler } from '../ideal';
import type { Booted, Built, Contestant } from '../contestant';

/** The hand-written ideal scheduler, as a contestant: the denominator of every ratio. */
export const ideal: Contestant = {
  name: 'ideal',
  boot: async (graph, hooks): Promise<Booted> => {
    const scheduler = new IdealScheduler(graph, hooks);
    await scheduler.start();
    return { stop: () => scheduler.stop() };
  },
  build: async (graph): Promise<Built> => {
    const scheduler = new IdealScheduler(graph, { start: () => Promise.resolve(), stop: () => Promise.resolve(), label: '' });
    await scheduler.start();
    const byName = new Map<string, unknown>();
    graph.names.forEach((name, i) => byName.set(name, scheduler.instances[i]));
    return {
      resolveLoop: (names, iterations) => {
        let sum = 0;
        const n = names.length;
        for (let k = 0; k < iterations; k++) sum += (byName.get(names[k % n]!) as { id: number }).id;
        return sum;
      },
      dispose: () => scheduler.stop(),
    };
  },
};
