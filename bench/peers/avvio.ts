import { makeService } from '../graph';
import type { Booted, Contestant } from '../contestant';
import { importCjs } from './load';

interface AvvioApp {
  use(plugin: () => Promise<void>): AvvioApp;
  onClose(hook: (context: unknown, done: () => void) => void): AvvioApp;
  ready(): Promise<unknown>;
  close(callback: (err?: Error) => void): void;
}
type Avvio = (server: object, options: { autostart: boolean }) => AvvioApp;

/**
 * avvio (fastify's plugin loader): plugins load one after another in registration order, so a
 * dependency graph is expressed as its topological order; onClose hooks run in reverse.
 */
export const avvio: Contestant = {
  name: 'avvio',
  slow: true,
  buildNote: 'no container: plugins decorate an instance, nothing to resolve by name',
  boot: async (graph, hooks): Promise<Booted> => {
    const boot = await importCjs<Avvio>('avvio');
    const instances: unknown[] = new Array(graph.size);
    const app = boot({}, { autostart: false });
    for (let i = 0; i < graph.size; i++) {
      app.use(async () => {
        await hooks.start(i);
        instances[i] = makeService(i, graph.deps[i]!.map((d) => instances[d]));
      });
      app.onClose((_ctx, done) => void hooks.stop(i).then(() => done()));
    }
    await app.ready();
    return { stop: () => new Promise<void>((resolve, reject) => app.close((err?: Error) => (err ? reject(err) : resolve()))) };
  },
};
