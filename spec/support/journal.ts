import type { FactoryDefinition, FactoryDependency } from '../../lib/definition';

/** What happened, in order: `new a`, `start a`, `started a`, `stop a`, `stopped a`. */
export class Journal {
  readonly entries: string[] = [];

  write(entry: string): void {
    this.entries.push(entry);
  }

  /** Position of the first occurrence of `entry`; -1 when it never happened. */
  at(entry: string): number {
    return this.entries.indexOf(entry);
  }

  /** How many times `entry` happened. */
  count(entry: string): number {
    return this.entries.filter((e) => e === entry).length;
  }

  /** Entries that start with `prefix` (`'new '`), in order. */
  only(prefix: string): string[] {
    return this.entries.filter((e) => e.startsWith(prefix));
  }
}

/** An instance made by a {@link tracked} service. */
export interface TrackedInstance {
  readonly name: string;
  /** Serial number of this instance among its service's instances, from 1. */
  readonly serial: number;
  readonly deps: readonly unknown[];
}

/** Options of {@link tracked}: a plain definition's options, plus what its hooks do. */
export interface TrackedOptions extends Omit<Partial<FactoryDefinition<TrackedInstance>>, 'name' | 'useFactory' | 'onStart' | 'onStop'> {
  readonly deps?: readonly FactoryDependency[];
  /** The body of the start hook; by default it does nothing. */
  readonly start?: (signal: AbortSignal, instance: TrackedInstance) => unknown;
  /** The body of the stop hook; by default it does nothing. */
  readonly stop?: (signal: AbortSignal, instance: TrackedInstance) => unknown;
}

/**
 * A factory definition that writes its lifecycle to `journal`: `new <name>` when constructed,
 * `start`/`started` around its start hook, `stop`/`stopped` around its stop hook.
 */
export function tracked(journal: Journal, name: string, options: TrackedOptions = {}): FactoryDefinition<TrackedInstance> {
  const { start, stop, ...rest } = options;
  let serial = 0;
  return {
    ...rest,
    name,
    useFactory: (...deps: unknown[]) => {
      journal.write(`new ${name}`);
      return { name, serial: ++serial, deps };
    },
    onStart: async (instance, signal) => {
      journal.write(`start ${name}`);
      await start?.(signal, instance);
      journal.write(`started ${name}`);
    },
    onStop: async (instance, signal) => {
      journal.write(`stop ${name}`);
      await stop?.(signal, instance);
      journal.write(`stopped ${name}`);
    },
  };
}
