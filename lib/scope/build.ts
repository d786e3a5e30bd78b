import type { ServiceSpec } from '../definition';
import { BandmasterError } from '../errors';
import { lifecycleError } from '../lifecycle/outcome';
import { STARTED } from '../lifecycle/node';
import type { Registry } from '../registry';
import { deadline, isThenable, raceAbort } from '../lifecycle/retry';
import { describeToken } from '../tokens';
import { stopOne } from './dispose';
import { hookOf } from './hooks';
import { ALL, CONTAINER, ENTRY, SCOPE, SINGLETON, type Plans, type Slot } from './plan';

/** What every build of one container shares. */
export interface BuildHost {
  readonly registry: Registry;
  readonly plans: Plans;
  /** The container, for parameters typed `Container`. */
  readonly container: unknown;
  /** A scope built its first instance: `stopAll` must dispose it (a scope that built nothing is not tracked). */
  track(ctx: BuildContext): void;
}

/**
 * Where instances are built on demand: a scope, or the container itself (the transients of a
 * singleton). `created` owns what was built, as `spec, instance` pairs in creation order.
 */
export interface BuildContext {
  readonly host: BuildHost;
  /** The `Scope` object; undefined when building for a singleton. */
  readonly scope: unknown;
  provided: Map<unknown, unknown> | undefined;
  /** Scoped instances (or their builds in flight) by entry number (`-2 - code`); undefined: not built. */
  cache: unknown[] | undefined;
  readonly created: unknown[];
  /** Where the host tracks this scope (its index among the open ones); -1: not tracked. */
  slot: number;
}

/** The signal of hooks without a time limit: never aborts. */
const NEVER = new AbortController().signal;

/** The value of one slot: an instance, or a promise of one; throws (or rejects) when it cannot be had. */
export function slotValue(ctx: BuildContext, slot: Slot, dependent: string): unknown {
  const provided = ctx.provided;
  if (provided !== undefined && slot.kind !== ALL && provided.has(slot.key)) return provided.get(slot.key);
  switch (slot.kind) {
    case SINGLETON:
      return singleton(ctx.host.registry, slot.index, slot.optional, dependent);
    case ENTRY:
      return entry(ctx, slot.index);
    case CONTAINER:
      return ctx.host.container;
    case SCOPE:
      if (ctx.scope === undefined) throw mismatch(dependent, 'Scope');
      return ctx.scope;
    case ALL:
      return tagged(ctx, slot.key, dependent);
    default:
      if (slot.optional) return undefined;
      throw new BandmasterError('DependencyMissing', { service: dependent, dependency: describeToken(slot.token), detail: 'register a service under that token, or give it to the scope: scope.provide(token, value)' });
  }
}

/** A started singleton; undefined for an optional one that is not. */
function singleton(registry: Registry, index: number, optional: boolean, dependent: string): unknown {
  const table = registry.table;
  if (table.state[index] === STARTED) return table.instances[index];
  if (optional) return undefined;
  const node = table.nodes[index]!;
  if (node.error !== undefined) throw lifecycleError('DependencyUnavailable', { service: dependent, dependency: node.name, cause: node.error });
  throw new BandmasterError('ServiceNotStarted', { service: node.name, detail: `${dependent} needs it; it is ${node.state}` });
}

/** A transient (new each time) or scoped (one per scope) instance. */
export function entry(ctx: BuildContext, code: number): unknown {
  const spec = ctx.host.registry.scoped[-2 - code]!;
  if (spec.scope !== 'scoped') return build(ctx, spec);
  if (ctx.scope === undefined) throw mismatch('a singleton', spec.name);
  const k = -2 - code;
  // an array, not a Map: a scope is made per request, and most hold a handful of instances
  const cache = (ctx.cache ??= []);
  const cached = cache[k];
  if (cached !== undefined) return cached === UNDEFINED ? undefined : cached;
  const value = build(ctx, spec);
  if (!isThenable(value)) {
    cache[k] = value === undefined ? UNDEFINED : value;
    return value;
  }
  const pending = Promise.resolve(value).then(
    (instance) => {
      cache[k] = instance === undefined ? UNDEFINED : instance;
      return instance;
    },
    (error: unknown) => {
      // a failed build is not kept: the next resolve tries again
      cache[k] = undefined;
      throw error;
    },
  );
  cache[k] = pending;
  return pending;
}

/** A scoped instance that is `undefined` (a factory's result), as the cache keeps it. */
const UNDEFINED = Symbol('undefined');

/** Every service of a tag, in registration order; members that are optional and not started are left out. */
export function tagged(ctx: BuildContext, key: unknown, dependent: string): unknown {
  const members = ctx.host.registry.tags.get(key);
  if (members === undefined) return [];
  const { table } = ctx.host.registry;
  const out: unknown[] = [];
  let async = false;
  for (const code of members) {
    if (code >= 0 && table.state[code] !== STARTED && !table.nodes[code]!.spec.required) continue;
    const value = code >= 0 ? singleton(ctx.host.registry, code, false, dependent) : entry(ctx, code);
    if (isThenable(value)) async = true;
    out.push(value);
  }
  return async ? Promise.all(out) : out;
}

/** Builds one instance of `spec` with its dependencies, then runs its start hook; owned by `ctx`. */
export function build(ctx: BuildContext, spec: ServiceSpec): unknown {
  const plan = ctx.host.plans.of(spec);
  const args = new Array<unknown>(plan.length);
  let async = false;
  for (let i = 0; i < plan.length; i++) {
    const value = slotValue(ctx, plan[i]!, spec.name);
    if (isThenable(value)) async = true;
    args[i] = value;
  }
  if (async) return Promise.all(args).then((values) => construct(ctx, spec, values));
  return construct(ctx, spec, args);
}

function construct(ctx: BuildContext, spec: ServiceSpec, args: unknown[]): unknown {
  if (args.length !== spec.injectCount) args.length = spec.injectCount;
  if (spec.startTimeout === undefined) return createAndStart(ctx, spec, args, NEVER);
  const limit = deadline(undefined, spec.startTimeout, `\`${spec.name}\` start`);
  let result: unknown;
  try {
    result = createAndStart(ctx, spec, args, limit.signal);
  } catch (error) {
    limit.dispose();
    throw error;
  }
  if (!isThenable(result)) {
    limit.dispose();
    return result;
  }
  const late = Promise.resolve(result);
  return raceAbort(late, limit.signal).then(
    (instance) => {
      limit.dispose();
      return instance;
    },
    (error: unknown) => {
      limit.dispose();
      // abandoned: an instance that starts after all is stopped, not left running
      if (limit.signal.aborted) void late.then((instance) => dropCreated(ctx, spec, instance), () => undefined);
      throw failure(spec, error);
    },
  );
}

function createAndStart(ctx: BuildContext, spec: ServiceSpec, args: unknown[], signal: AbortSignal): unknown {
  let instance: unknown;
  try {
    instance = spec.create(spec, args, signal);
  } catch (error) {
    throw failure(spec, error);
  }
  if (isThenable(instance)) return Promise.resolve(instance).then((i) => start(ctx, spec, i, signal), (error: unknown) => Promise.reject(failure(spec, error)));
  return start(ctx, spec, instance, signal);
}

function start(ctx: BuildContext, spec: ServiceSpec, instance: unknown, signal: AbortSignal): unknown {
  let hook: unknown;
  try {
    hook = specHook(spec, 'onStart', instance, signal);
  } catch (error) {
    throw failure(spec, error);
  }
  if (!isThenable(hook)) return created(ctx, spec, instance);
  return Promise.resolve(hook).then(
    () => created(ctx, spec, instance),
    (error: unknown) => Promise.reject(failure(spec, error)),
  );
}

function created(ctx: BuildContext, spec: ServiceSpec, instance: unknown): unknown {
  if (ctx.slot < 0 && ctx.scope !== undefined) ctx.host.track(ctx);
  ctx.created.push(spec, instance);
  return instance;
}

/** Stops an instance whose start was abandoned (its time limit passed) once it has started after all. */
async function dropCreated(ctx: BuildContext, spec: ServiceSpec, instance: unknown): Promise<void> {
  const at = ctx.created.lastIndexOf(instance);
  if (at > 0 && ctx.created[at - 1] === spec) ctx.created.splice(at - 1, 2);
  await Promise.resolve()
    .then(() => stopOne(spec, instance, NEVER))
    .catch(() => undefined);
}

/** Calls a hook of `spec` on `instance` (see {@link hookOf}); undefined when it has none. */
export function specHook(spec: ServiceSpec, name: 'onStart' | 'onStop', instance: unknown, signal: AbortSignal): unknown {
  const hook = hookOf(spec, name, instance);
  return hook === undefined ? undefined : hook(signal);
}

function failure(spec: ServiceSpec, cause: unknown): BandmasterError {
  if (cause instanceof BandmasterError && cause.service === spec.name) return cause;
  return lifecycleError('ServiceStartFailure', { service: spec.name, cause, attempts: 1 });
}

/** A singleton that needs what only a scope has. */
export function mismatch(service: string, dependency: string): BandmasterError {
  return new BandmasterError('ScopeMismatch', { service, dependency, detail: 'a singleton outlives every scope: make it scoped or transient too, or resolve the scoped service from a scope where it is used' });
}
