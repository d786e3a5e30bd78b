import type { ServiceSpec } from './definition';
import { BandmasterError } from './errors';
import { link } from './graph';
import { NodeTable, type ServiceNode } from './node';
import { tokenKey, type InjectionToken } from './tokens';

/** Registered services by every key that names them, with the graph linked on demand. */
export class Registry {
  /** Each key's service, by index in {@link Registry.table}: linking follows no node. */
  readonly #byKey = new Map<unknown, number>();
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
