import type { ServiceSpec } from '../definition';
import type { BandmasterError } from '../errors';
import type { ServiceNode } from '../lifecycle/node';
import type { Registry } from '../registry';
import { builtinOf, describeToken, isAllToken, tokenKey, type DependencyToken } from '../tokens';
import { BandmasterError as ErrorClass } from '../errors';
import { mismatch } from './build';

/** What validation of the singleton graph asks about scopes, tags and the container's own tokens. */
export interface ScopeCheck {
  /** True when an unlinked dependency is not missing: a tag, `Container`/`Scope`, or a transient or scoped service or value (mismatches are in {@link ScopeCheck.errors}). */
  notMissing(token: DependencyToken): boolean;
  /** Every `ScopeMismatch` among `nodes`, and every cycle among transient and scoped services. O(V+E). */
  errors(nodes: readonly ServiceNode[]): BandmasterError[];
}

/**
 * The check for a registry; undefined when it holds no transient or scoped service, no tag and no
 * built-in token is used (`registry.special` is false): then nothing can be a scope mismatch and
 * every unlinked dependency is missing, so a plain singleton graph validates without it.
 */
export function scopeCheck(registry: Registry): ScopeCheck | undefined {
  if (!registry.special) return undefined;
  const scopeOnly = scopeOnlyKeys(registry);
  const reached = new Map<number, string[]>();
  return {
    notMissing: (token) => isAllToken(token) || builtinOf(token) !== undefined || registry.indexOf(token) <= -2 || scopeOnly.has(tokenKey(token)),
    errors: (nodes) => {
      const errors: BandmasterError[] = [];
      for (const node of nodes) {
        for (const dependency of needsOfSingleton(registry, node.spec, scopeOnly, reached)) errors.push(mismatch(node.name, dependency));
      }
      for (const cycle of entryCycles(registry)) errors.push(new ErrorClass('DependencyCircular', { service: cycle[0], cycle }));
      return errors;
    },
  };
}

/** Keys of the tokens that transient and scoped services depend on and no registration gives: what only a scope provides. */
function scopeOnlyKeys(registry: Registry): Set<unknown> {
  const keys = new Set<unknown>();
  for (const spec of registry.scoped) {
    for (const token of spec.depTokens) {
      if (!isAllToken(token) && builtinOf(token) === undefined && registry.indexOf(token) === -1) keys.add(tokenKey(token));
    }
  }
  return keys;
}

/** What a singleton (`spec`) needs that only a scope has, by name, deduplicated. */
function needsOfSingleton(registry: Registry, spec: ServiceSpec, scopeOnly: Set<unknown>, reached: Map<number, string[]>): string[] {
  let out: string[] | undefined;
  const add = (names: readonly string[]): void => {
    for (const n of names) if (!(out ??= []).includes(n)) out.push(n);
  };
  for (const token of spec.depTokens) add(needsOfToken(registry, token, scopeOnly, reached));
  return out ?? [];
}

const NONE: readonly string[] = [];

function needsOfToken(registry: Registry, token: DependencyToken, scopeOnly: Set<unknown>, reached: Map<number, string[]>): readonly string[] {
  if (isAllToken(token)) {
    const out: string[] = [];
    for (const code of registry.tags.get(tokenKey(token.tag)) ?? []) if (code <= -2) out.push(...needsOfEntry(registry, code, scopeOnly, reached));
    return out;
  }
  const builtin = builtinOf(token);
  if (builtin !== undefined) return builtin === 'scope' ? ['Scope'] : NONE;
  const code = registry.indexOf(token);
  if (code <= -2) return needsOfEntry(registry, code, scopeOnly, reached);
  return code === -1 && scopeOnly.has(tokenKey(token)) ? [describeToken(token)] : NONE;
}

/**
 * What a transient or scoped service, as a dependency of a singleton, needs of a scope: itself
 * when scoped, else what its own dependencies need (memoized; a cycle is reported elsewhere).
 */
function needsOfEntry(registry: Registry, code: number, scopeOnly: Set<unknown>, reached: Map<number, string[]>): readonly string[] {
  const spec = registry.scoped[-2 - code]!;
  if (spec.scope === 'scoped') return [spec.name];
  const known = reached.get(code);
  if (known) return known;
  const out: string[] = [];
  reached.set(code, out);
  for (const token of spec.depTokens) for (const n of needsOfToken(registry, token, scopeOnly, reached)) if (!out.includes(n)) out.push(n);
  return out;
}

/** The transient and scoped services a transient or scoped one depends on, encoded. */
function entryDeps(registry: Registry, spec: ServiceSpec): number[] {
  const out: number[] = [];
  for (const token of spec.depTokens) {
    if (isAllToken(token)) {
      for (const code of registry.tags.get(tokenKey(token.tag)) ?? []) if (code <= -2) out.push(code);
    } else if (builtinOf(token) === undefined) {
      const code = registry.indexOf(token);
      if (code <= -2) out.push(code);
    }
  }
  return out;
}

/** Cycles among transient and scoped services, by an iterative depth-first search, as name paths. */
function entryCycles(registry: Registry): string[][] {
  const specs = registry.scoped;
  if (specs.length === 0) return [];
  const mark = new Uint8Array(specs.length);
  const cycles: string[][] = [];
  const deps = specs.map((s) => entryDeps(registry, s).map((code) => -2 - code));
  for (let root = 0; root < specs.length; root++) {
    if (mark[root] !== 0) continue;
    const path = [root];
    const next = [0];
    mark[root] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const i = path[top]!;
      const k = next[top]!;
      if (k >= deps[i]!.length) {
        mark[i] = 2;
        path.pop();
        next.pop();
        continue;
      }
      next[top] = k + 1;
      const d = deps[i]![k]!;
      if (mark[d] === 1 && cycles.length < 100) cycles.push([...path.slice(path.lastIndexOf(d)), d].map((j) => specs[j]!.name));
      else if (mark[d] === 0) {
        mark[d] = 1;
        path.push(d);
        next.push(0);
      }
    }
  }
  return cycles;
}
