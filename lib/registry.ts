import type { ServiceSpec } from './definition';
import { BandmasterError } from './errors';
import { fleetOf } from './fleet/service';
import { link } from './graph/edges';
import { NodeTable, type ServiceNode } from './lifecycle/node';
import { builtinOf, isAllToken, tokenKey, type InjectionToken } from './tokens';

const NO_TAGS = new Map<unknown, number[]>();

/**
 * Registered services by every key that names them, with the graph linked on demand. Singletons
 * are nodes of {@link Registry.table}; transient and scoped services are never booted and live in
 * {@link Registry.scoped}. {@link Registry.indexOf} tells them apart by sign: `i >= 0` is node
 * `i`, `-1` is nothing, `i <= -2` is `scoped[-2 - i]` (so every `d >= 0` check of the scheduler
 * skips them).
 */
export class Registry {
  /** Each key's service, by index in {@link Registry.table} (or encoded, see above): linking follows no node. */
  readonly #byKey = new Map<unknown, number>();
  /** The transient and scoped services, in registration order. */
  readonly scoped: ServiceSpec[] = [];
  /**
   * Every service as its encoded index, in registration order, once a transient or scoped service
   * is registered; until then the order is the table's (0, 1, 2...) and is not stored (8 B and a
   * push per service).
   */
  #order: number[] | undefined = undefined;
  /** The members of each tag (by tag key), encoded, in registration order: rebuilt by {@link Registry.linked}. */
  tags = new Map<unknown, number[]>();
  /** Runs before each relink (the container derives what scopes and tags need), after the base specs are back. */
  beforeLink: (() => void) | undefined = undefined;
  /** Bumped by every registration change: plans made for older versions are stale. */
  get version(): number {
    return this.#version;
  }
  /** Services keyed by a symbol, by name: two `Symbol('db')` would both show as `db`. */
  readonly #symbolNames = new Map<string, number>();
  /** The services and their scheduling columns. */
  readonly table = new NodeTable();
  #version = 0;
  #linkedVersion = -1;
  #special = false;
  #fleet = false;

  /**
   * Whether any registration ever was transient or scoped, had tags, or injected the container, a
   * scope or a tag: until then a relink derives nothing and walks no tags (a graph of plain
   * singletons links as it did before scopes existed). Sticky: a derived spec, once made, is
   * re-derived on every relink.
   */
  get special(): boolean {
    return this.#special;
  }

  /**
   * Whether any registration ever was an `exclusive` or `once` service: until then `startAll` has
   * no fleet options to check (a pass over every node and edge). Sticky, as {@link special}.
   */
  get fleet(): boolean {
    return this.#fleet;
  }

  #mark(spec: ServiceSpec): void {
    if (!this.#fleet && fleetOf(spec) !== undefined) this.#fleet = true;
    if (this.#special) return;
    if (spec.scope !== 'singleton' || spec.tags.length > 0) {
      this.#special = true;
      return;
    }
    const tokens = spec.depTokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (isAllToken(t) || builtinOf(t) !== undefined) {
        this.#special = true;
        return;
      }
    }
  }

  /** Adds a service; its name and keys must be free. */
  add(spec: ServiceSpec): { readonly spec: ServiceSpec } {
    this.#checkFree(spec, undefined);
    this.#mark(spec);
    const singleton = spec.scope === 'singleton';
    const node = singleton ? this.table.add(spec) : undefined;
    const code = node ? node.index : -2 - this.scoped.push(spec) + 1;
    this.#byKey.set(spec.key, code);
    // indexed: a for-of over the shared frozen empty list takes V8's slow iteration path
    const { aliases } = spec;
    for (let i = 0; i < aliases.length; i++) this.#byKey.set(aliases[i], code);
    if (typeof spec.key === 'symbol') this.#symbolNames.set(spec.name, code);
    if (!singleton && this.#order === undefined) this.#order = Array.from({ length: this.table.nodes.length }, (_, i) => i);
    this.#order?.push(code);
    this.#version++;
    return node ?? { spec };
  }

  /** Every service as its encoded index, in registration order (tags list their members in it): a fresh list while all are singletons. */
  get order(): readonly number[] {
    return this.#order ?? Array.from({ length: this.table.nodes.length }, (_, i) => i);
  }

  /** Swaps the spec of a transient or scoped service (`override`), keeping its keys and scope. */
  replaceScoped(code: number, spec: ServiceSpec): void {
    const old = this.scoped[-2 - code]!;
    const aliases = [...new Set([...old.aliases, spec.key, ...spec.aliases])].filter((k) => k !== old.key);
    const merged: ServiceSpec = { ...spec, name: old.name, key: old.key, aliases, scope: old.scope, tags: spec.tags.length > 0 ? spec.tags : old.tags };
    for (const key of aliases) this.#checkKey(merged, code, key);
    for (const key of aliases) this.#byKey.set(key, code);
    this.scoped[-2 - code] = merged;
    this.#version++;
  }

  /** The spec of any service a token names (singleton or not), if registered. */
  specOf(t: InjectionToken): ServiceSpec | undefined {
    const i = this.indexOf(t);
    return i >= 0 ? this.table.nodes[i]!.spec : i <= -2 ? this.scoped[-2 - i] : undefined;
  }

  /** The spec of an encoded index (see the class comment). */
  specAt(code: number): ServiceSpec {
    return code >= 0 ? this.table.nodes[code]!.spec : this.scoped[-2 - code]!;
  }

  /** Swaps the spec of an existing service, keeping the keys it had. */
  replace(node: ServiceNode, spec: ServiceSpec): void {
    const old = node.spec;
    const aliases = [...new Set([...old.aliases, spec.key, ...spec.aliases])].filter((k) => k !== old.key);
    // the registration keeps its scope, and its tags unless the replacement gives some
    const merged: ServiceSpec = { ...spec, name: old.name, key: old.key, aliases, scope: old.scope, tags: spec.tags.length > 0 ? spec.tags : old.tags };
    this.#checkFree(merged, node);
    this.#mark(merged);
    for (const key of aliases) this.#byKey.set(key, node.index);
    node.spec = merged;
    node.instance = undefined;
    node.error = undefined;
    this.#version++;
  }

  #checkFree(spec: ServiceSpec, self: ServiceNode | undefined): void {
    const code = self?.index;
    this.#checkKey(spec, code, spec.name);
    this.#checkSymbolName(spec, self);
    if (spec.key !== spec.name) this.#checkKey(spec, code, spec.key);
    const { aliases } = spec;
    for (let i = 0; i < aliases.length; i++) this.#checkKey(spec, code, aliases[i]);
  }

  #checkKey(spec: ServiceSpec, self: number | undefined, key: unknown): void {
    const index = this.#byKey.get(key);
    if (index === undefined || index === self) return;
    const existing = this.specAt(index);
    throw new BandmasterError('ServiceAlreadyExists', {
      service: spec.name,
      detail: existing.name === spec.name ? 'pick another name, or use override() to replace it' : `\`${String(typeof key === 'function' ? key.name : key)}\` already names \`${existing.name}\``,
    });
  }

  /**
   * A service named by a symbol shares its name with no other service: names are what status(),
   * reports, logs and messages show, and two `Symbol('db')` would be two `db`.
   */
  #checkSymbolName(spec: ServiceSpec, self: ServiceNode | undefined): void {
    const index = this.#symbolNames.get(spec.name) ?? (typeof spec.key === 'symbol' ? this.#byKey.get(spec.name) : undefined);
    if (index === undefined || index === self?.index) return;
    const existing = this.specAt(index);
    throw new BandmasterError('ServiceAlreadyExists', {
      service: spec.name,
      detail: `\`${existing.name}\` already names another service (symbols are shown by their description): give each symbol a distinct description, such as Symbol('${spec.name}-2')`,
    });
  }

  /** The singleton a token names, if registered. */
  lookup(t: InjectionToken): ServiceNode | undefined {
    const index = this.indexOf(t);
    return index < 0 ? undefined : this.table.nodes[index];
  }

  /** The index in {@link Registry.table} of the singleton a token names; -1 when none, <= -2 for a transient or scoped service. */
  indexOf(t: InjectionToken): number {
    return this.#byKey.get(tokenKey(t)) ?? -1;
  }

  /** Every service, with dependencies resolved against the current registrations. */
  linked(): readonly ServiceNode[] {
    if (this.#linkedVersion !== this.#version) {
      if (this.#special) {
        this.#linkTags();
        this.beforeLink?.();
      }
      link(this.table, (t) => this.indexOf(t));
      this.#linkedVersion = this.#version;
    }
    return this.table.nodes;
  }

  /** Rebuilds the members of each tag; nothing to do (one shared empty map) when no service has tags. */
  #linkTags(): void {
    let tags: Map<unknown, number[]> | undefined;
    for (const code of this.order) {
      const own = this.specAt(code).tags;
      for (let i = 0; i < own.length; i++) {
        tags ??= new Map();
        const members = tags.get(own[i]);
        if (members) members.push(code);
        else tags.set(own[i], [code]);
      }
    }
    this.tags = tags ?? NO_TAGS;
  }
}
