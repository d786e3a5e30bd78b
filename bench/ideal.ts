import { makeService, type Graph } from './graph';
import type { Hooks } from './hooks';

/**
 * The physical limit: a hand-written scheduler that starts each service the moment its own
 * dependencies are done and stops it the moment its dependents are. No validation, no retries,
 * no events: what is left is the graph's critical path.
 */
export class IdealScheduler {
  readonly instances: unknown[];
  readonly #graph: Graph;
  readonly #hooks: Hooks;
  readonly #dependents: number[][];
  readonly #pending: Int32Array;

  constructor(graph: Graph, hooks: Hooks) {
    this.#graph = graph;
    this.#hooks = hooks;
    this.instances = new Array(graph.size);
    this.#pending = new Int32Array(graph.size);
    this.#dependents = Array.from({ length: graph.size }, () => []);
    for (let i = 0; i < graph.size; i++) for (const d of graph.deps[i]!) this.#dependents[d]!.push(i);
  }

  start(): Promise<void> {
    const { size, deps } = this.#graph;
    if (size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = size;
      const launch = (i: number): void => {
        const ds = deps[i]!;
        const args = new Array<unknown>(ds.length);
        for (let k = 0; k < ds.length; k++) args[k] = this.instances[ds[k]!];
        this.instances[i] = makeService(i, args);
        void this.#hooks.start(i).then(() => {
          if (--left === 0) resolve();
          for (const j of this.#dependents[i]!) if (--this.#pending[j]! === 0) launch(j);
        });
      };
      for (let i = 0; i < size; i++) this.#pending[i] = deps[i]!.length;
      for (let i = 0; i < size; i++) if (this.#pending[i] === 0) launch(i);
    });
  }

  stop(): Promise<void> {
    const { size, deps } = this.#graph;
    if (size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = size;
      const launch = (i: number): void => {
        void this.#hooks.stop(i).then(() => {
          this.instances[i] = undefined;
          if (--left === 0) resolve();
          for (const d of deps[i]!) if (--this.#pending[d]! === 0) launch(d);
        });
      };
      for (let i = 0; i < size; i++) this.#pending[i] = this.#dependents[i]!.length;
      for (let i = 0; i < size; i++) if (this.#pending[i] === 0) launch(i);
    });
  }
}
