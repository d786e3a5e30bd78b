import type { Graph } from './graph';
import type { Hooks } from './hooks';

/** A booted graph, ready to stop. */
export interface Booted {
  stop(): Promise<void>;
}

/** Every singleton of a graph built (no hooks), ready to resolve. */
export interface Built {
  /** Resolves `names[k % names.length]` for k < iterations; returns a checksum so nothing is optimised away. */
  resolveLoop(names: readonly string[], iterations: number): number;
  dispose(): Promise<void>;
}

/**
 * One container under test. A capability a container cannot express is `undefined`, and the
 * matching `*Note` says why, for the table.
 */
export interface Contestant {
  readonly name: string;
  /** Register, validate and start every service with async `start` hooks, honouring dependencies. */
  readonly boot?: (graph: Graph, hooks: Hooks) => Promise<Booted>;
  readonly bootNote?: string;
  /** A caveat on its shutdown (e.g. no dependency order). */
  readonly stopNote?: string;
  /** Registers and builds every singleton, without lifecycle hooks. */
  readonly build?: (graph: Graph) => Promise<Built>;
  readonly buildNote?: string;
  /** Too slow for the big cases: run only the 1,000-service ones. */
  readonly slow?: boolean;
}
