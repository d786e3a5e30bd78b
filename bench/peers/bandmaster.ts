import 'reflect-metadata';
import { Container } from '../../lib';
import { definitions } from './definitions';
import type { Booted, Built, Contestant } from '../contestant';

/** bandmaster itself, logging off (the logging case measures the logger). */
export const bandmaster: Contestant = {
  name: 'bandmaster',
  boot: async (graph, hooks): Promise<Booted> => {
    const container = new Container({ logger: false });
    container.register(...definitions(graph, hooks));
    await container.startAll();
    return { stop: async () => void (await container.stopAll()) };
  },
  build: async (graph): Promise<Built> => {
    const container = new Container({ logger: false });
    container.register(...definitions(graph, undefined));
    await container.startAll();
    return {
      resolveLoop: (names, iterations) => {
        let sum = 0;
        const n = names.length;
        for (let k = 0; k < iterations; k++) sum += (container.resolve(names[k % n]!) as { id: number }).id;
        return sum;
      },
      dispose: async () => void (await container.stopAll()),
    };
  },
};
