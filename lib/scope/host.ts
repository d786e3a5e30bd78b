import { ShutdownError, type BandmasterError } from '../errors';
import type { Registry } from '../registry';
import { lifecycleReport } from '../report';
import { deriveSingletons } from './derive';
import { Plans } from './plan';
import { Scope, type ScopeOwner } from './scope';
import { scopeCheck } from './validate';

/**
 * The container's side of scopes: the build plans, the open scopes (so `stopAll` can dispose
 * them first), and the derived specs of singletons that inject transients, tags or the container.
 */
export class ScopeHost implements ScopeOwner {
  readonly registry: Registry;
  readonly plans: Plans;
  readonly container: unknown;
  readonly #open = new Set<Scope>();
  /** The first error of the transient and scoped services' graph, checked once per registration version. */
  #invalid: BandmasterError | undefined = undefined;

  constructor(registry: Registry, container: unknown) {
    this.registry = registry;
    this.container = container;
    this.plans = new Plans(registry);
    registry.beforeLink = () => deriveSingletons(registry, this);
  }

  /** A new scope, tracked until it is disposed. */
  open(): Scope {
    const scope = new Scope(this);
    this.#open.add(scope);
    return scope;
  }

  /** How many scopes are open. */
  get size(): number {
    return this.#open.size;
  }

  prepare(): void {
    if (this.plans.refresh()) {
      this.registry.linked();
      // cycles among transient and scoped services would never finish building
      this.#invalid = scopeCheck(this.registry).errors([])[0];
    }
    if (this.#invalid) throw this.#invalid;
  }

  closed(scope: Scope): void {
    this.#open.delete(scope);
  }

  report(errors: BandmasterError[], durationMs: number): ShutdownError {
    return new ShutdownError(errors, lifecycleReport(this.registry.table, 'stop', errors, durationMs));
  }

  /** Disposes every open scope, one after the other (newest first); resolves to every failure. */
  async closeAll(signal: AbortSignal): Promise<BandmasterError[]> {
    const errors: BandmasterError[] = [];
    const scopes = [...this.#open].reverse();
    for (const scope of scopes) errors.push(...(await scope.close(signal)));
    return errors;
  }
}
