import type { ServiceSpec } from './definition';
import { BandmasterError } from './errors';
import { link } from './graph/edges';
import { NodeTable, type ServiceNode } from './lifecycle/node';
import { tokenKey, type InjectionToken } from './tokens';

/** Registered services by every key that names them, with the graph linked on demand. */
export class Registry {
  /** Each key's service, by index in {@link Registry.table}: linking follows no node. */
  readonly #byKey = new Map<unknown, number>();
  /** Services keyed by a symbol, by name: two `Symbol('db')` would both show as `db`. */
  readonly #symbolNames = new Map<string, number>();
  /** The services and their scheduling columns. */
  readonly table = new NodeTable();
  #version = 0;
  #linkedVersion = -1;

  /** Adds a service; its name and keys must be free. */
  add(spec: ServiceSpec): ServiceNode {
    this.#checkFree(spec, undefined);
    const node = this.table.add(spec);
    this.#byKey.set(spec.key, node.index);
    // indexed: a for-of over the shared frozen empty list takes V8's slow iteration path
    const { aliases } = spec;
    for (let i = 0; i < aliases.length; i++) this.#byKey.set(aliases[i], node.index);
    if (typeof spec.key === 'symbol') this.#symbolNames.set(spec.name, node.index);
    this.#version++;
    return node;
  }

  /** Swaps the spec of an existing service, keeping the keys it had. */
  replace(node: ServiceNode, spec: ServiceSpec): void {
    const old = node.spec;
    const aliases = [...new Set([...old.aliases, spec.key, ...spec.aliases])].filter((k) => k !== old.key);
    const merged: ServiceSpec = { ...spec, name: old.name, key: old.key, aliases };
    this.#checkFree(merged, node);
    for (const key of aliases) this.#byKey.set(key, node.index);
    node.spec = merged;
    node.instance = undefined;
    node.error = undefined;
    this.#version++;
  }

  #checkFree(spec: ServiceSpec, self: ServiceNode | undefined): void {
    this.#checkKey(spec, self, spec.name);
    this.#checkSymbolName(spec, self);
    if (spec.key !== spec.name) this.#checkKey(spec, self, spec.key);
    const { aliases } = spec;
    for (let i = 0; i < aliases.length; i++) this.#checkKey(spec, self, aliases[i]);
  }

  #checkKey(spec: ServiceSpec, self: ServiceNode | undefined, key: unknown): void {
    const index = this.#byKey.get(key);
    if (index === undefined || index === self?.index) return;
    const existing = this.table.nodes[index]!;
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
    const existing = this.table.nodes[index]!;
    throw new BandmasterError('ServiceAlreadyExists', {
      service: spec.name,
      detail: `\`${existing.name}\` already names another service (symbols are shown by their description): give each symbol a distinct description, such as Symbol('${spec.name}-2')`,
    });
  }

  /** The service a token names, if registered. */
  lookup(t: InjectionToken): ServiceNode | undefined {
    const index = this.indexOf(t);
    return index < 0 ? undefined : this.table.nodes[index];
  }

  /** The index in {@link Registry.table} of the service a token names; -1 when none. */
  indexOf(t: InjectionToken): number {
    return this.#byKey.get(tokenKey(t)) ?? -1;
  }

  /** Every service, with dependencies resolved against the current registrations. */
  linked(): readonly ServiceNode[] {
    if (this.#linkedVersion !== this.#version) {
      link(this.table, (t) => this.indexOf(t));
      this.#linkedVersion = this.#version;
    }
    return this.table.nodes;
  }
}
