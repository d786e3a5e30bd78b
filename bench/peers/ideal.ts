import { makeService } from '../graph';
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

/** What {@link idealRegistered} keeps per service: the least a container that names services keeps. */
interface Registration {
  readonly name: string;
  readonly deps: readonly string[];
  readonly factory: (...deps: unknown[]) => unknown;
}

/**
 * The ideal scheduler behind the least that any container naming its services does first: it
 * takes the definitions bandmaster's adapter builds (`{ name, deps: [names], useFactory }`, a
 * closure per service), keeps one record per service and a name -> index map, and resolves every
 * dependency by name; then it schedules exactly as the ideal does. No validation, events,
 * retries, states or report. Beside the ideal, it shows what registration by name costs at each
 * size on this machine, bandmaster's own overhead left out.
 */
export const idealRegistered: Contestant = {
  name: 'ideal + registration',
  boot: async (graph, hooks): Promise<Booted> => {
    const { size, names, deps } = graph;
    const definitions = new Array<{ name: string; deps: string[]; useFactory: (...args: unknown[]) => unknown }>(size);
    for (let i = 0; i < size; i++) definitions[i] = { name: names[i]!, deps: deps[i]!.map((d) => names[d]!), useFactory: (...args: unknown[]) => makeService(i, args) };
    const records = new Array<Registration>(size);
    const byName = new Map<string, number>();
    for (let i = 0; i < size; i++) {
      const d = definitions[i]!;
      records[i] = { name: d.name, deps: d.deps.slice(), factory: d.useFactory };
      byName.set(d.name, i);
    }
    const resolved = new Array<number[]>(size);
    for (let i = 0; i < size; i++) {
      const named = records[i]!.deps;
      const out = new Array<number>(named.length);
      for (let k = 0; k < named.length; k++) out[k] = byName.get(named[k]!)!;
      resolved[i] = out;
    }
    const scheduler = new IdealScheduler({ size, names, deps: resolved }, hooks);
    await scheduler.start();
    // the records live as long as the services, as a container's registrations do
    return { stop: () => scheduler.stop().then(() => void records.length) };
  },
  buildNote: 'a reference scheduler: nothing to resolve after boot',
};
