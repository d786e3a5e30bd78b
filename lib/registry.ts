import type { ServiceSpec } from './definition';
import { BandmasterError } from './errors';
import { link } from './graph';
import { ServiceNode } from './node';
import { tokenKey, type InjectionToken } from './tokens';

/** Registered services by every key that names them, with the graph linked on demand. */
export class Registry {
  readonly #byKey = new Map<unknown, ServiceNode>();
  readonly #nodes: ServiceNode[] = [];
  #version = 0;
  #linkedVersion = -1;

  /** Adds a service; its name and keys must be free. */
  add(spec: ServiceSpec): ServiceNode {
    this.#checkFree(spec, undefined);
    const node = new ServiceNode(spec);
    for (const key of spec.keys) this.#byKey.set(key, node);
    this.#nodes.push(node);
    this.#version++;
    return node;
  }

  /** Swaps the spec of an existing service, keeping the keys it had. */
  replace(node: ServiceNode, spec: ServiceSpec): void {
    const keys = [...new Set([...node.spec.keys, ...spec.keys])];
    const merged: ServiceSpec = { ...spec, name: node.spec.name, keys };
    this.#checkFree(merged, node);
    for (const key of keys) this.#byKey.set(key, node);
    node.spec = merged;
    node.instance = undefined;
    node.error = undefined;
    this.#version++;
  }

  #checkFree(spec: ServiceSpec, self: ServiceNode | undefined): void {
    this.#checkKey(spec, self, spec.name);
    for (const key of spec.keys) this.#checkKey(spec, self, key);
  }

  #checkKey(spec: ServiceSpec, self: ServiceNode | undefined, key: unknown): void {
    const existing = this.#byKey.get(key);
    if (existing && existing !== self) {
      throw new BandmasterError('ServiceAlreadyExists', {
        service: spec.name,
        detail: existing.name === spec.name ? 'pick another name, or use override() to replace it' : `\`${String(typeof key === 'function' ? key.name : key)}\` already names \`${existing.name}\``,
      });
    }
  }

  /** The service a token names, if registered. */
  lookup(t: InjectionToken): ServiceNode | undefined {
    return this.#byKey.get(tokenKey(t));
  }

  /** Every service, with dependencies resolved against the current registrations. */
  linked(): readonly ServiceNode[] {
    if (this.#linkedVersion !== this.#version) {
      link(this.#nodes, (t) => this.lookup(t));
      this.#linkedVersion = this.#version;
    }
    return this.#nodes;
  }

  get size(): number {
    return this.#nodes.length;
  }
}
