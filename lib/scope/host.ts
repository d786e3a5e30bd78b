import { BandmasterError, ShutdownError } from '../errors';
import type { Registry } from '../registry';
import { describeToken, tokenKey, type InjectionToken } from '../tokens';
import { lifecycleReport } from '../ops/report';
import { deriveSingletons } from './derive';
import { Plans } from './plan';
import { Scope, type ScopeOwner } from './scope';
import type { BuildContext } from './build';
import { scopeCheck } from './validate';

/**
 * The container's side of scopes: the build plans, the open scopes (so `stopAll` can dispose
 * them first), and the derived specs of singletons that inject transients, tags or the container.
 */
export class ScopeHost implements ScopeOwner {
  readonly registry: Registry;
  readonly plans: Plans;
  readonly container: unknown;
  /** The scopes that hold instances, as their contexts; each knows its index (`slot`): O(1) in and out. */
  readonly #open: BuildContext[] = [];
  /** True from the end of a boot to the next stopAll: scopes may be created and may build. */
  live = false;
  /** The first error of the transient and scoped services' graph, checked once per registration version. */
  #invalid: BandmasterError | undefined = undefined;

  constructor(registry: Registry, container: unknown) {
    this.registry = registry;
    this.container = container;
    this.plans = new Plans(registry);
    registry.beforeLink = () => deriveSingletons(registry, this);
  }

  /** A new scope; tracked (for stopAll) from its first instance until it is disposed. `stopped`: a stopAll ran. */
  open(stopped: boolean): Scope {
    if (!this.live) {
      throw new BandmasterError('ServiceNotStarted', { service: 'createScope()', detail: stopped ? 'the container is stopping or stopped: scopes are created between startAll() and stopAll()' : 'the container has not booted: await container.startAll() first' });
    }
    return new Scope(this);
  }

  /** The started singletons of a tag, in registration order (optional ones not started left out); throws for a required one that is not. */
  startedOfTag(tag: InjectionToken): unknown[] {
    const out: unknown[] = [];
    const { nodes } = this.registry.table;
    for (const code of this.registry.tags.get(tokenKey(tag)) ?? []) {
      if (code < 0) continue;
      const node = nodes[code]!;
      if (node.state === 'started') out.push(node.instance);
      else if (node.spec.required) throw new BandmasterError('ServiceNotStarted', { service: node.name, detail: `it is ${node.state}, and tagged ${describeToken(tag)}` });
    }
    return out;
  }

  track(ctx: BuildContext): void {
    ctx.slot = this.#open.push(ctx) - 1;
  }

  /** How many scopes hold instances. */
  get size(): number {
    return this.#open.length;
  }

  prepare(): void {
    if (!this.live) throw new BandmasterError('ServiceNotStarted', { service: 'scope.resolve()', detail: 'the container is stopping or stopped: a scope builds between startAll() and stopAll()' });
    if (this.plans.refresh()) {
      this.registry.linked();
      // cycles among transient and scoped services would never finish building
      this.#invalid = scopeCheck(this.registry)?.errors([])[0];
    }
    if (this.#invalid) throw this.#invalid;
  }

  closed(ctx: BuildContext): void {
    const slot = ctx.slot;
    if (slot < 0) return;
    ctx.slot = -1;
    const last = this.#open.pop()!;
    if (last !== ctx) {
      this.#open[slot] = last;
      last.slot = slot;
    }
  }

  report(errors: BandmasterError[], durationMs: number): ShutdownError {
    return new ShutdownError(errors, lifecycleReport(this.registry.table, 'stop', errors, durationMs));
  }

  /** Disposes every open scope, one after the other (newest first); resolves to every failure. */
  async closeAll(signal: AbortSignal): Promise<BandmasterError[]> {
    const errors: BandmasterError[] = [];
    // newest first, roughly: removals swap the last one into the gap
    const scopes = this.#open.map((ctx) => ctx.scope as Scope).reverse();
    for (const scope of scopes) errors.push(...(await scope.close(signal)));
    return errors;
  }
}
