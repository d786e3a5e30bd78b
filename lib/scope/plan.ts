import type { ServiceSpec } from '../definition';
import { isOptionalDep } from '../graph/edges';
import type { Registry } from '../registry';
import { builtinOf, isAllToken, tokenKey, type DependencyToken } from '../tokens';

/** A started singleton, by its index in the table. */
export const SINGLETON = 0;
/** A transient or scoped service, by its encoded index (`<= -2`, see {@link Registry}). */
export const ENTRY = 1;
/** Registered nowhere: a value the scope provides (`scope.provide`), by token key. */
export const PROVIDED = 2;
/** The container itself. */
export const CONTAINER = 3;
/** The scope itself. */
export const SCOPE = 4;
/** Every service of a tag, by tag key. */
export const ALL = 5;

/** How one dependency of a service is found when it is built on demand. */
export interface Slot {
  readonly kind: number;
  /** SINGLETON: table index; ENTRY: encoded index; otherwise -1. */
  readonly index: number;
  /** The token's key (what `scope.provide` stores under), or the tag's key (ALL). */
  readonly key: unknown;
  readonly optional: boolean;
  readonly token: DependencyToken;
}

/** The slot of one dependency token against the current registrations. */
export function slotOf(registry: Registry, token: DependencyToken, optional: boolean): Slot {
  if (isAllToken(token)) return { kind: ALL, index: -1, key: tokenKey(token.tag), optional, token };
  const builtin = builtinOf(token);
  const key = tokenKey(token);
  if (builtin !== undefined) return { kind: builtin === 'container' ? CONTAINER : SCOPE, index: -1, key, optional, token };
  const index = registry.indexOf(token);
  if (index >= 0) return { kind: SINGLETON, index, key, optional, token };
  if (index <= -2) return { kind: ENTRY, index, key, optional, token };
  return { kind: PROVIDED, index: -1, key, optional, token };
}

/** The slots of every dependency of `spec` (injected ones first, then `dependsOn`), in order. */
export function planOf(registry: Registry, spec: ServiceSpec): Slot[] {
  const tokens = spec.depTokens;
  const slots = new Array<Slot>(tokens.length);
  for (let i = 0; i < tokens.length; i++) slots[i] = slotOf(registry, tokens[i]!, isOptionalDep(spec, i));
  return slots;
}

/**
 * Plans by spec, made once per registration version: building an instance on demand reads its
 * slots, no Map lookup per dependency.
 */
export class Plans {
  readonly #registry: Registry;
  #version = -1;
  #plans = new Map<ServiceSpec, Slot[]>();

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** Whether the registrations changed since the last call (and the plans were dropped). */
  refresh(): boolean {
    if (this.#version === this.#registry.version) return false;
    this.#version = this.#registry.version;
    this.#plans = new Map();
    return true;
  }

  of(spec: ServiceSpec): Slot[] {
    let plan = this.#plans.get(spec);
    if (plan === undefined) this.#plans.set(spec, (plan = planOf(this.#registry, spec)));
    return plan;
  }
}
