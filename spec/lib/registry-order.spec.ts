import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, Container, token } from '../../lib';

const PLUGIN = token<{ readonly id: string }>('plugin');

describe('Registry', () => {
  describe('registration order', () => {
    it('keeps the order of singletons registered before and after the first transient service', () => {
      const container = new Container({ logger: false });
      container.register({ name: 'a', useValue: 1 }, { name: 'b', useValue: 2 });
      container.register({ name: 't', scope: 'transient', useFactory: () => ({}) });
      container.register({ name: 'c', useValue: 3 }, { name: 's', scope: 'scoped', useFactory: () => ({}) }, { name: 'd', useValue: 4 });
      assert.deepEqual(container.graph().nodes.map((n) => n.name), ['a', 'b', 't', 'c', 's', 'd']);
    });

    it('lists only singletons in registration order while no other scope was registered', () => {
      const container = new Container({ logger: false });
      container.register({ name: 'z', useValue: 1 }, { name: 'y', useValue: 2 }, { name: 'x', useValue: 3 });
      assert.deepEqual(container.graph().nodes.map((n) => n.name), ['z', 'y', 'x']);
    });

    it('gives tag members in registration order across scopes', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'one', tags: [PLUGIN], useValue: { id: 'one' } });
      container.register({ name: 'two', tags: [PLUGIN], scope: 'transient', useFactory: () => ({ id: 'two' }) });
      container.register({ name: 'three', tags: [PLUGIN], useValue: { id: 'three' } });
      container.register({ name: 'host', deps: [all(PLUGIN)], useFactory: (plugins: { readonly id: string }[]) => plugins.map((p) => p.id) });
      await container.startAll();
      assert.deepEqual(container.resolve<string[]>('host'), ['one', 'two', 'three']);
      assert.deepEqual(container.graph().edges.filter((e) => e.from === 'host').map((e) => e.to), ['one', 'two', 'three']);
      await container.stopAll();
    });
  });
});
