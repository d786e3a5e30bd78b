import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';

/** api needs db, optionally cache, a missing `mail "x"`, and starts after migrations. */
function registerApi(container: Container): void {
  container.register(
    { name: 'db', useValue: 1 },
    { name: 'cache', useValue: 2, required: false },
    { name: 'api', useFactory: () => 3, deps: ['db', { token: 'cache', optional: true }, 'mail "x"'], dependsOn: ['migrations'] },
    { name: 'migrations', useValue: 0 },
  );
}

describe('Container', () => {
  describe('graph', () => {
    it('lists services and dependency edges, with optional, start-order and missing ones marked', () => {
      const container = new Container({ logger: false });
      registerApi(container);
      const graph = container.graph();
      assert.deepEqual(graph.nodes, [
        { name: 'db', state: 'idle', required: true, scope: 'singleton', tags: [] },
        { name: 'cache', state: 'idle', required: false, scope: 'singleton', tags: [] },
        { name: 'api', state: 'idle', required: true, scope: 'singleton', tags: [] },
        { name: 'migrations', state: 'idle', required: true, scope: 'singleton', tags: [] },
      ]);
      assert.deepEqual(graph.edges, [
        { from: 'api', to: 'db', optional: false, injected: true, missing: false },
        { from: 'api', to: 'cache', optional: true, injected: true, missing: false },
        { from: 'api', to: 'mail "x"', optional: false, injected: true, missing: true },
        { from: 'api', to: 'migrations', optional: false, injected: false, missing: false },
      ]);
    });

    it('renders Graphviz DOT', () => {
      const container = new Container({ logger: false });
      registerApi(container);
      assert.equal(
        container.graph().toDot(),
        [
          'digraph bandmaster {',
          '  rankdir=LR;',
          '  node [shape=box, style=rounded];',
          '  "db" [label="db\\nidle"];',
          '  "cache" [label="cache\\nidle (optional)"];',
          '  "api" [label="api\\nidle"];',
          '  "migrations" [label="migrations\\nidle"];',
          '  "mail \\"x\\"" [color=red, label="mail \\"x\\"\\nmissing"];',
          '  "api" -> "db";',
          '  "api" -> "cache" [style=dashed];',
          '  "api" -> "mail \\"x\\"";',
          '  "api" -> "migrations" [style=dotted];',
          '}',
        ].join('\n'),
      );
    });

    it('renders a Mermaid flowchart', () => {
      const container = new Container({ logger: false });
      registerApi(container);
      assert.equal(
        container.graph().toMermaid(),
        [
          'flowchart LR',
          '  n0["db<br/>idle"]',
          '  n1["cache<br/>idle (optional)"]',
          '  n2["api<br/>idle"]',
          '  n3["migrations<br/>idle"]',
          '  n4["mail #quot;x#quot;<br/>missing"]:::missing',
          '  n2 --> n0',
          '  n2 -.-> n1',
          '  n2 --> n4',
          '  n2 ==> n3',
          '  classDef missing stroke:#d00,color:#d00',
        ].join('\n'),
      );
    });

    it('shows the states services are in', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useValue: 1 }, { name: 'broken', required: false, useFactory: () => Promise.reject(new Error('no')) });
      await container.startAll();
      assert.deepEqual(container.graph().nodes.map((n) => [n.name, n.state]), [['db', 'started'], ['broken', 'failed']]);
      assert.ok(container.graph().toMermaid().includes('n0["db<br/>started"]'));
    });
  });
});
