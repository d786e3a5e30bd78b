// A request-like scope: create it, resolve one scoped service that depends on two singletons,
// dispose it; bandmaster beside awilix's createScope and tsyringe's child containers.
import 'reflect-metadata';
import { Container } from '../../lib';
import { importCjs, importEsm } from '../peers/load';
import type { Results } from '../report';
import { collect, rotate, summarize } from '../stats';
import type { SuiteConfig } from '../suite';

interface AwilixScope {
  resolve(name: string): unknown;
  dispose(): Promise<void>;
}
interface Awilix {
  createContainer(options: { injectionMode: string; strict: boolean }): { register(entries: Record<string, unknown>): void; createScope(): AwilixScope };
  asFunction(factory: (...args: never[]) => unknown): { singleton(): unknown; scoped(): unknown };
  InjectionMode: { CLASSIC: string };
}
interface Tsyringe {
  container: { createChildContainer(): { register(token: string, provider: unknown, options?: unknown): void; resolve(token: string): unknown; createChildContainer(): { resolve(token: string): unknown; dispose(): Promise<void> } } };
  Lifecycle: { ContainerScoped: number; Singleton: number };
}

type Loop = (n: number) => Promise<number>;

async function ours(): Promise<Loop> {
  const container = new Container({ logger: false });
  container.register({ name: 'db', useValue: { id: 1 } }, { name: 'clock', useValue: { id: 2 } });
  container.register({ name: 'ctx', scope: 'scoped', deps: ['db', 'clock'], useFactory: (db: { id: number }, clock: { id: number }) => ({ id: db.id + clock.id }) });
  await container.startAll();
  return async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const scope = container.createScope();
      sum += ((await scope.resolve<{ id: number }>('ctx')).id);
      await scope.dispose();
    }
    return sum;
  };
}

async function awilix(): Promise<Loop> {
  const a = await importEsm<Awilix>('awilix');
  const root = a.createContainer({ injectionMode: a.InjectionMode.CLASSIC, strict: true });
  root.register({ db: a.asFunction(() => ({ id: 1 })).singleton(), clock: a.asFunction(() => ({ id: 2 })).singleton(), ctx: a.asFunction(((db: { id: number }, clock: { id: number }) => ({ id: db.id + clock.id })) as never).scoped() });
  return async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const scope = root.createScope();
      sum += (scope.resolve('ctx') as { id: number }).id;
      await scope.dispose();
    }
    return sum;
  };
}

async function tsyringe(): Promise<Loop> {
  const t = await importCjs<Tsyringe>('tsyringe');
  const root = t.container.createChildContainer();
  root.register('db', { useValue: { id: 1 } });
  root.register('clock', { useValue: { id: 2 } });
  root.register('ctx', { useFactory: (c: { resolve(k: string): { id: number } }) => ({ id: c.resolve('db').id + c.resolve('clock').id }) });
  return async (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const child = root.createChildContainer();
      sum += (child.resolve('ctx') as { id: number }).id;
      await child.dispose();
    }
    return sum;
  };
}

/** ns per scope (create, resolve one scoped service with two singleton dependencies, dispose). */
export async function scopeCase(results: Results, config: SuiteConfig): Promise<void> {
  const kase = 'scope: create, resolve a scoped service with 2 singleton deps, dispose';
  const iterations = config.quick ? 100_000 : 400_000;
  config.log(`${kase}: ${config.rounds} rounds of ${iterations.toLocaleString('en')}`);
  const loops = new Map<string, Loop>([['bandmaster', await ours()], ['awilix', await awilix()], ['tsyringe (child container)', await tsyringe()]]);
  const ns = new Map<string, number[]>();
  for (const [name, loop] of loops) {
    await loop(Math.min(iterations, 50_000));
    ns.set(name, []);
  }
  for (let round = 0; round < config.rounds; round++) {
    for (const name of rotate([...loops.keys()], round)) {
      collect();
      const t0 = performance.now();
      if (!((await loops.get(name)!(iterations)) > 0)) throw new Error(`${name}: resolved nothing`);
      ns.get(name)!.push(((performance.now() - t0) * 1e6) / iterations);
    }
  }
  const base = ns.get('bandmaster')!;
  for (const [name, values] of ns) results.valueRow(kase, name, values, 'ns', base, name === 'tsyringe (child container)' ? 'useFactory: no per-child caching' : '');
  const median = summarize(base).median;
  results.goal('a scope with one scoped resolve (2 singleton deps) and dispose costs a few µs at most', median < 3_000, `${median.toFixed(0)} ns`);
  await heapPerScope(results, config);
}

/** Heap per open scope holding one scoped instance (an object of one field), 10,000 scopes at once. */
async function heapPerScope(results: Results, config: SuiteConfig): Promise<void> {
  const container = new Container({ logger: false });
  container.register({ name: 'db', useValue: { id: 1 } }, { name: 'ctx', scope: 'scoped', deps: ['db'], useFactory: (db: unknown) => ({ db }) });
  await container.startAll();
  const n = 10_000;
  const bytes: number[] = [];
  for (let round = 0; round < config.rounds; round++) {
    collect();
    const before = process.memoryUsage().heapUsed;
    const scopes = Array.from({ length: n }, () => container.createScope());
    await Promise.all(scopes.map((s) => s.resolve('ctx')));
    collect();
    bytes.push((process.memoryUsage().heapUsed - before) / n);
    await Promise.all(scopes.map((s) => s.dispose()));
  }
  results.valueRow('scope: heap per open scope holding one instance (10,000 at once)', 'bandmaster', bytes, 'B', undefined, 'the instance itself is about 16 B');
  await container.stopAll();
}
