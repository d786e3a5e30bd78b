import { makeService, type BenchService, type Graph } from '../graph';
import type { Hooks } from '../hooks';
import type { Booted, Built, Contestant } from '../contestant';

import { importEsm } from './load';

declare const opaque: unique symbol;
/** An effect; yieldable inside `Effect.gen`. */
interface Fx {
  readonly [opaque]: 'Effect';
  [Symbol.iterator](): Iterator<unknown, unknown, unknown>;
}
type AnyLayer = { readonly [opaque]: 'Layer' };
type Scope = { readonly [opaque]: 'Scope' };
type Context = { readonly [opaque]: 'Context' };
/** A service key; yielding it inside `Effect.gen` reads the service. */
interface Key {
  [Symbol.iterator](): Iterator<unknown, unknown, unknown>;
}
interface EffectModule {
  Context: { Service(key: string): Key; get(context: Context, key: Key): unknown };
  Effect: {
    gen(body: () => Generator<unknown, unknown, unknown>): Fx;
    promise(run: () => Promise<unknown>): Fx;
    acquireRelease(acquire: Fx, release: () => Fx): Fx;
    runPromise<T>(effect: Fx): Promise<T>;
  };
  Layer: { effect(key: Key, make: Fx): AnyLayer; provide(self: AnyLayer, that: AnyLayer): AnyLayer; mergeAll(...layers: AnyLayer[]): AnyLayer; buildWithScope(layer: AnyLayer, scope: Scope): Fx };
  Scope: { make(): Fx; close(scope: Scope, exit: unknown): Fx };
  Exit: { void: unknown };
}

/** One layer per service, each provided with the layers of its dependencies (memoised by Effect). */
function layers(fx: EffectModule, graph: Graph, hooks: Hooks | undefined): { keys: Key[]; all: AnyLayer } {
  const { Context, Effect, Layer } = fx;
  const keys: Key[] = graph.names.map((name) => Context.Service(name));
  const built: AnyLayer[] = new Array(graph.size);
  for (let i = 0; i < graph.size; i++) {
    const ds = graph.deps[i]!;
    const make = Effect.gen(function* () {
      const args: unknown[] = [];
      for (const d of ds) args.push(yield* keys[d]!);
      if (hooks) yield* Effect.promise(() => hooks.start(i));
      return makeService(i, args);
    });
    const acquire = hooks ? Effect.acquireRelease(make, () => Effect.promise(() => hooks.stop(i))) : make;
    let layer = Layer.effect(keys[i]!, acquire);
    if (ds.length > 0) {
      layer = Layer.provide(layer, ds.length === 1 ? built[ds[0]!]! : Layer.mergeAll(...ds.map((d) => built[d]!)));
    }
    built[i] = layer;
  }
  return { keys, all: Layer.mergeAll(...built) };
}

async function buildLayers(graph: Graph, hooks: Hooks | undefined): Promise<{ fx: EffectModule; keys: Key[]; context: Context; close: () => Promise<void> }> {
  const fx = await importEsm<EffectModule>('effect');
  const { Effect, Exit, Layer, Scope } = fx;
  const { keys, all } = layers(fx, graph, hooks);
  const scope = await Effect.runPromise<Scope>(Scope.make());
  const context = await Effect.runPromise<Context>(Layer.buildWithScope(all, scope));
  const close = (): Promise<void> => Effect.runPromise<void>(Scope.close(scope, Exit.void));
  return { fx, keys, context, close };
}

/** Effect layers: the dependency graph is a graph of layers, built and released by a scope. */
export const effect: Contestant = {
  name: 'Effect',
  boot: async (graph, hooks): Promise<Booted> => {
    const { close } = await buildLayers(graph, hooks);
    return { stop: close };
  },
  build: async (graph): Promise<Built> => {
    const { fx, keys, context, close } = await buildLayers(graph, undefined);
    const byName = new Map<string, Key>(graph.names.map((name, i) => [name, keys[i]!]));
    const get = fx.Context.get;
    return {
      resolveLoop: (names, iterations) => {
        // an Effect service is named by its key object, not a string: look the keys up once
        const list = names.map((name) => byName.get(name)!);
        let sum = 0;
        const n = list.length;
        for (let k = 0; k < iterations; k++) sum += (get(context, list[k % n]!) as BenchService).id;
        return sum;
      },
      dispose: close,
    };
  },
};
