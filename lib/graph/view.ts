import type { ServiceSpec } from '../definition';
import type { ServiceState } from '../lifecycle/node';
import type { Registry } from '../registry';
import { baseSpec } from '../scope/derive';
import { builtinOf, isAllToken, tokenKey, type ServiceScope } from '../tokens';

/** A service in {@link GraphView}. */
export interface GraphNode {
  /** Service name. */
  readonly name: string;
  /** Its lifecycle state now (transient and scoped services, built on demand, stay `idle`). */
  readonly state: ServiceState;
  /** Its start failure fails the boot. */
  readonly required: boolean;
  /** How long its instances live. */
  readonly scope: ServiceScope;
  /** The tags it carries, by name. */
  readonly tags: readonly string[];
}

/** A dependency in {@link GraphView}: `from` depends on `to`. */
export interface GraphEdge {
  /** The dependent service. */
  readonly from: string;
  /** The service it depends on (or the missing token's name). */
  readonly to: string;
  /** An `@Optional()` or optional factory dependency. */
  readonly optional: boolean;
  /** Injected into the constructor or factory (false for start-order `dependsOn`). */
  readonly injected: boolean;
  /** `to` is not registered (for a transient or scoped service: a value its scope must provide). */
  readonly missing: boolean;
  /** Set when the edge comes from `@InjectAll(tag)` / `all(tag)`: the tag's name; `to` is one of its members. */
  readonly tag?: string;
}

/** The dependency graph, as data and as DOT or Mermaid text. */
export interface GraphView {
  /** Every registered service. */
  readonly nodes: readonly GraphNode[];
  /** Every dependency, missing ones included. */
  readonly edges: readonly GraphEdge[];
  /** Graphviz DOT: `dot -Tsvg`. Optional edges dashed, start-order edges dotted, missing nodes red. */
  toDot(): string;
  /** A Mermaid flowchart, for Markdown that renders it. */
  toMermaid(): string;
}

/**
 * Builds the view of a linked registry: every service in registration order (singletons,
 * transient and scoped ones), each edge as registered (a tag's members as edges of their own).
 */
export function graphView(registry: Registry, describe: (token: unknown) => string): GraphView {
  const graphNodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const { nodes } = registry.table;
  for (const code of registry.order) {
    const spec = baseSpec(registry.specAt(code));
    graphNodes.push({ name: spec.name, state: code >= 0 ? nodes[code]!.state : 'idle', required: spec.required, scope: spec.scope, tags: spec.tags.map(describe) });
    edgesOf(registry, spec, describe, edges);
  }
  return { nodes: graphNodes, edges, toDot: () => toDot(graphNodes, edges), toMermaid: () => toMermaid(graphNodes, edges) };
}

function edgesOf(registry: Registry, spec: ServiceSpec, describe: (token: unknown) => string, edges: GraphEdge[]): void {
  // a set, not includes() per edge: linear in the service's dependency count
  const optional = new Set(spec.optionalDeps ?? []);
  const { depTokens, injectCount } = spec;
  const onDemand = spec.scope !== 'singleton';
  for (let i = 0; i < depTokens.length; i++) {
    const token = depTokens[i]!;
    const injected = i < injectCount;
    if (isAllToken(token)) {
      const tag = describe(token.tag);
      for (const member of registry.tags.get(tokenKey(token.tag)) ?? []) {
        const target = registry.specAt(member);
        edges.push({ from: spec.name, to: target.name, optional: optional.has(i) || !target.required, injected, missing: false, tag });
      }
      continue;
    }
    // the container and the scope are no services
    if (builtinOf(token) !== undefined) continue;
    const target = registry.specOf(token);
    edges.push({ from: spec.name, to: target ? target.name : describe(token), optional: optional.has(i), injected, missing: !target && !onDemand });
  }
}

const quote = (s: string): string => JSON.stringify(s);

/** `started`, `started (optional)`, `scoped`, `transient, tags: plugin`. */
function describeNode(n: GraphNode): string {
  const what = n.scope === 'singleton' ? `${n.state}${n.required ? '' : ' (optional)'}` : n.scope;
  return n.tags.length === 0 ? what : `${what}, tags: ${n.tags.join(', ')}`;
}

function toDot(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): string {
  const lines = ['digraph bandmaster {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const n of nodes) lines.push(`  ${quote(n.name)} [label=${quote(`${n.name}\n${describeNode(n)}`)}${n.scope === 'singleton' ? '' : ', style="rounded,dashed"'}];`);
  for (const e of edges.filter((x) => x.missing)) lines.push(`  ${quote(e.to)} [color=red, label=${quote(`${e.to}\nmissing`)}];`);
  for (const e of edges) {
    const attributes = [e.optional ? 'style=dashed' : e.injected ? '' : 'style=dotted', e.tag === undefined ? '' : `label=${quote(`all(${e.tag})`)}`].filter(Boolean);
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)}${attributes.length > 0 ? ` [${attributes.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n');
}

function toMermaid(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): string {
  const ids = new Map<string, string>();
  const id = (name: string): string => {
    let v = ids.get(name);
    if (!v) ids.set(name, (v = `n${ids.size}`));
    return v;
  };
  const label = (s: string): string => s.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  for (const n of nodes) lines.push(`  ${id(n.name)}["${label(n.name)}<br/>${label(describeNode(n))}"]`);
  for (const e of edges.filter((x) => x.missing)) lines.push(`  ${id(e.to)}["${label(e.to)}<br/>missing"]:::missing`);
  for (const e of edges) lines.push(`  ${id(e.from)} ${e.optional ? '-.->' : e.injected ? '-->' : '==>'}${e.tag === undefined ? '' : `|"all(${label(e.tag)})"|`} ${id(e.to)}`);
  if (edges.some((e) => e.missing)) lines.push('  classDef missing stroke:#d00,color:#d00');
  return lines.join('\n');
}
