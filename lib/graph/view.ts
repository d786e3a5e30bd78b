import type { ServiceNode, ServiceState } from '../lifecycle/node';

/** A service in {@link GraphView}. */
export interface GraphNode {
  /** Service name. */
  readonly name: string;
  /** Its lifecycle state now. */
  readonly state: ServiceState;
  /** Its start failure fails the boot. */
  readonly required: boolean;
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
  /** `to` is not registered. */
  readonly missing: boolean;
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

/** Builds the view of linked nodes. */
export function graphView(nodes: readonly ServiceNode[], describe: (token: unknown) => string): GraphView {
  const graphNodes = nodes.map((n) => ({ name: n.name, state: n.state, required: n.spec.required }));
  const edges: GraphEdge[] = [];
  for (const n of nodes) {
    // a set, not includes() per edge: linear in the service's dependency count
    const optional = new Set(n.spec.optionalDeps ?? []);
    const { depTokens, injectCount } = n.spec;
    // depNodes builds its list on each read: read it once
    const targets = n.depNodes;
    for (let i = 0; i < depTokens.length; i++) {
      const target = targets[i];
      edges.push({ from: n.name, to: target ? target.name : describe(depTokens[i]), optional: optional.has(i), injected: i < injectCount, missing: !target });
    }
  }
  return { nodes: graphNodes, edges, toDot: () => toDot(graphNodes, edges), toMermaid: () => toMermaid(graphNodes, edges) };
}

const quote = (s: string): string => JSON.stringify(s);

function toDot(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): string {
  const lines = ['digraph bandmaster {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  for (const n of nodes) lines.push(`  ${quote(n.name)} [label=${quote(`${n.name}\n${n.state}${n.required ? '' : ' (optional)'}`)}];`);
  for (const e of edges.filter((x) => x.missing)) lines.push(`  ${quote(e.to)} [color=red, label=${quote(`${e.to}\nmissing`)}];`);
  for (const e of edges) {
    const style = e.optional ? ' [style=dashed]' : e.injected ? '' : ' [style=dotted]';
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)}${style};`);
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
  for (const n of nodes) lines.push(`  ${id(n.name)}["${label(n.name)}<br/>${n.state}${n.required ? '' : ' (optional)'}"]`);
  for (const e of edges.filter((x) => x.missing)) lines.push(`  ${id(e.to)}["${label(e.to)}<br/>missing"]:::missing`);
  for (const e of edges) lines.push(`  ${id(e.from)} ${e.optional ? '-.->' : e.injected ? '-->' : '==>'} ${id(e.to)}`);
  if (edges.some((e) => e.missing)) lines.push('  classDef missing stroke:#d00,color:#d00');
  return lines.join('\n');
}
