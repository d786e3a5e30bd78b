import type { ServiceSpec } from '../definition';
import { isThenable } from '../lifecycle/retry';
import type { Registry } from '../registry';
import { builtinOf, isAllToken, type DependencyToken } from '../tokens';
import { slotValue, specHook, type BuildContext, type BuildHost } from './build';
import { stopCreated } from './dispose';
import { ALL, CONTAINER, ENTRY, planOf, type Slot } from './plan';

/** The registration each derived spec was made from. */
const bases = new WeakMap<ServiceSpec, ServiceSpec>();

/** The spec a service was registered with, under what {@link deriveSingletons} made of it. */
export function baseSpec(spec: ServiceSpec): ServiceSpec {
  return bases.get(spec) ?? spec;
}

const NEVER = new AbortController().signal;

/**
 * Before each relink: a singleton that injects the container, a transient service or a tag gets
 * a derived spec. Its `create` fills those parameters (building transients, collecting the
 * tag's members), and its dependency list gains, as start-order edges, the singletons those
 * need (a tag's members; what its transients depend on), so the boot waits for them and the
 * shutdown stops them after it. The transients built for it are its own: stopped after its
 * `onStop`, or when its start fails. Singletons that need none of this keep their spec.
 */
export function deriveSingletons(registry: Registry, host: BuildHost): void {
  const { nodes } = registry.table;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const base = baseSpec(node.spec);
    node.spec = derive(registry, host, base);
  }
}

function derive(registry: Registry, host: BuildHost, base: ServiceSpec): ServiceSpec {
  // the common case, checked without allocating: nothing but singletons and missing tokens
  if (!base.depTokens.some((t) => isAllToken(t) || builtinOf(t) === 'container' || registry.indexOf(t) <= -2)) return base;
  let special: number[] | undefined;
  const plan = planOf(registry, base);
  for (let k = 0; k < plan.length; k++) {
    const kind = plan[k]!.kind;
    if (kind === CONTAINER || kind === ALL || kind === ENTRY) (special ??= []).push(k);
  }
  if (special === undefined) return base;
  const extra = extraEdges(registry, plan, special);
  const derived = derivedSpec(host, base, plan, special, extra);
  bases.set(derived, base);
  return derived;
}

/** The singletons reached through the special slots (tag members, transients' dependencies), as tokens, with their optionality. */
function extraEdges(registry: Registry, plan: Slot[], special: number[]): { tokens: DependencyToken[]; optional: boolean[] } {
  const direct = new Set<number>();
  for (const slot of plan) if (slot.index >= 0) direct.add(slot.index);
  const found = new Map<number, boolean>();
  const seen = new Set<number>();
  const visit = (code: number, optional: boolean): void => {
    if (code >= 0) {
      if (!direct.has(code)) found.set(code, (found.get(code) ?? true) && optional);
      return;
    }
    const spec = registry.scoped[-2 - code]!;
    // a scoped service in a singleton is a ScopeMismatch, reported by validation
    if (spec.scope !== 'transient' || seen.has(code)) return;
    seen.add(code);
    for (const slot of planOf(registry, spec)) visitSlot(slot, optional || slot.optional);
  };
  const visitSlot = (slot: Slot, optional: boolean): void => {
    if (slot.kind === ALL) {
      for (const code of registry.tags.get(slot.key) ?? []) visit(code, optional || (code >= 0 && !registry.table.nodes[code]!.spec.required));
    } else if (slot.index >= 0 || slot.index <= -2) visit(slot.index, optional);
  };
  for (const k of special) visitSlot(plan[k]!, plan[k]!.optional);
  const tokens: DependencyToken[] = [];
  const optional: boolean[] = [];
  for (const [code, opt] of found) {
    tokens.push(registry.table.nodes[code]!.spec.key);
    optional.push(opt);
  }
  return { tokens, optional };
}

function derivedSpec(host: BuildHost, base: ServiceSpec, plan: Slot[], special: number[], extra: { tokens: DependencyToken[]; optional: boolean[] }): ServiceSpec {
  const owned = new Map<unknown, unknown[]>();
  const fill = (args: unknown[], created: unknown[]): boolean => {
    const ctx: BuildContext = { host, scope: undefined, provided: undefined, cache: undefined, created, slot: -1 };
    let async = false;
    for (const k of special) {
      if (k >= base.injectCount) continue;
      const value = slotValue(ctx, plan[k]!, base.name);
      if (isThenable(value)) async = true;
      args[k] = value;
    }
    return async;
  };
  const keep = (instance: unknown, created: unknown[]): unknown => {
    if (created.length > 0) owned.set(instance, created);
    return instance;
  };
  const release = (instance: unknown): Promise<void> | undefined => {
    const created = owned.get(instance);
    if (created === undefined) return undefined;
    owned.delete(instance);
    return Promise.resolve(stopCreated(created, NEVER)).then((errors) => {
      if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} transient instances of \`${base.name}\` failed to stop`);
    });
  };
  const create: ServiceSpec['create'] = (_spec, args, signal) => {
    const created: unknown[] = [];
    const failed = (error: unknown): never => {
      void Promise.resolve(stopCreated(created, NEVER));
      throw error;
    };
    try {
      if (!fill(args, created)) {
        const instance = base.create(base, args, signal);
        return isThenable(instance) ? Promise.resolve(instance).then((i) => keep(i, created), failed) : keep(instance, created);
      }
    } catch (error) {
      return failed(error);
    }
    return Promise.all(args).then((values) => base.create(base, values, signal)).then((i) => keep(i, created), failed);
  };
  const onStart = (instance: unknown, signal: AbortSignal): unknown => {
    let result: unknown;
    try {
      result = specHook(base, 'onStart', instance, signal);
    } catch (error) {
      void release(instance)?.catch(() => undefined);
      throw error;
    }
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(undefined, (error: unknown) => {
      void release(instance)?.catch(() => undefined);
      throw error;
    });
  };
  const onStop = (instance: unknown, signal: AbortSignal): unknown => {
    const result = specHook(base, 'onStop', instance, signal);
    if (isThenable(result)) return Promise.resolve(result).then(() => release(instance));
    return release(instance);
  };
  const optionalDeps = [...(base.optionalDeps ?? [])];
  extra.optional.forEach((opt, j) => opt && optionalDeps.push(base.depTokens.length + j));
  return {
    ...base,
    depTokens: extra.tokens.length === 0 ? base.depTokens : [...base.depTokens, ...extra.tokens],
    optionalDeps: optionalDeps.length > 0 ? optionalDeps : undefined,
    create,
    onStart,
    onStop,
  };
}
