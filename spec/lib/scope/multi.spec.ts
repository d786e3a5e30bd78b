import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { all, BootError, Container, InjectAll, optional, Service, token, type OnStart } from '../../../lib';

interface Plugin {
  readonly id: string;
}
const PLUGIN = token<Plugin>('plugin');

describe('Container', () => {
  describe('multi-injection', () => {
    it('injects every service of a tag in registration order, after all of them started', async () => {
      const started: string[] = [];
      @Service({ tags: [PLUGIN] })
      class Slow implements Plugin, OnStart {
        readonly id = 'slow';
        async onStart(): Promise<void> {
          await new Promise((r) => setTimeout(r, 10));
          started.push('slow');
        }
      }
      @Service({ tags: [PLUGIN] })
      class Fast implements Plugin {
        readonly id = 'fast';
      }
      @Service()
      class Host implements OnStart {
        constructor(@InjectAll(PLUGIN) readonly plugins: Plugin[]) {}
        onStart(): void {
          started.push(`host saw ${this.plugins.length}`);
        }
      }
      const container = new Container({ logger: false });
      container.register(Host, Slow, { name: 'third', tags: [PLUGIN], useValue: { id: 'third' } }, Fast);
      await container.startAll();
      assert.deepEqual(container.resolve(Host).plugins.map((p) => p.id), ['slow', 'third', 'fast']);
      assert.deepEqual(started, ['slow', 'host saw 3']);
      assert.deepEqual(container.resolveAll(PLUGIN).map((p) => p.id), ['slow', 'third', 'fast']);
      assert.deepEqual(container.graph().edges.filter((e) => e.from === 'Host').map((e) => e.to), ['Slow', 'third', 'Fast']);
      await container.stopAll();
    });

    it('fails a dependent when a required member fails, and leaves out an optional member that failed', async () => {
      const container = new Container({ logger: false });
      container.register(
        { name: 'good', tags: ['checks'], useValue: 'good' },
        { name: 'flaky', tags: ['checks'], required: false, useFactory: () => Promise.reject(new Error('down')) },
        { name: 'report', deps: [all('checks')], useFactory: (checks: string[]) => checks },
      );
      await container.startAll();
      assert.deepEqual(container.resolve('report'), ['good']);
      await container.stopAll();

      const strict = new Container({ logger: false });
      strict.register(
        { name: 'broken', tags: ['checks'], useFactory: () => Promise.reject(new Error('down')) },
        { name: 'report', deps: [all('checks')], useFactory: (checks: string[]) => checks },
      );
      const error: unknown = await strict.startAll().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof BootError);
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.dependency]), [['ServiceStartFailure', 'broken', undefined], ['DependencyUnavailable', 'report', 'broken']]);
    });

    it('injects [] for a tag no service has, and undefined for an optional entry that is not registered', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'x', deps: [all('none'), optional('absent')], useFactory: (none: unknown[], absent: unknown) => ({ none, absent }) });
      await container.startAll();
      assert.deepEqual(container.resolve('x'), { none: [], absent: undefined });
      assert.deepEqual(container.resolveAll('none'), []);
      await container.stopAll();
    });

    it('collects scoped and transient members in a scope, and rejects a scoped member for a singleton as ScopeMismatch', async () => {
      @Service({ scope: 'scoped', tags: ['step'] })
      class A {}
      @Service({ scope: 'transient', tags: ['step'] })
      class B {}
      @Service({ tags: ['step'] })
      class C {}
      @Service({ scope: 'scoped' })
      class Pipeline {
        constructor(@InjectAll('step') readonly steps: object[]) {}
      }
      const container = new Container({ logger: false }).register(A, B, C, Pipeline);
      await container.startAll();
      const scope = container.createScope();
      const pipeline = await scope.resolve(Pipeline);
      assert.deepEqual(pipeline.steps.map((s) => s.constructor.name), ['A', 'B', 'C']);
      assert.equal(pipeline.steps[0], await scope.resolve(A));
      assert.equal(pipeline.steps[2], container.resolve(C));
      assert.deepEqual((await scope.resolveAll('step')).map((s) => (s as object).constructor.name), ['A', 'B', 'C']);
      await container.stopAll();

      @Service()
      class Singleton {
        constructor(@InjectAll('step') readonly steps: object[]) {}
      }
      const bad = new Container({ logger: false }).register(A, Singleton);
      await assert.rejects(bad.startAll(), (e: unknown) => e instanceof BootError && e.errors[0]!.kind === 'ScopeMismatch' && e.errors[0]!.dependency === 'A');
    });
  });
});

describe('Container', () => {
  describe('graph with scopes and tags', () => {
    it('shows every service with its scope and tags, and a tag injection as one edge per member', () => {
      @Service({ scope: 'scoped', tags: ['step'] })
      class Step {}
      @Service({ scope: 'transient' })
      class Runner {
        constructor(@InjectAll('step') readonly steps: Step[]) {}
      }
      const graph = new Container({ logger: false }).register(Step, Runner).graph();
      assert.deepEqual(graph.nodes, [
        { name: 'Step', state: 'idle', required: true, scope: 'scoped', tags: ['step'] },
        { name: 'Runner', state: 'idle', required: true, scope: 'transient', tags: [] },
      ]);
      assert.deepEqual(graph.edges, [{ from: 'Runner', to: 'Step', optional: false, injected: true, missing: false, tag: 'step' }]);
      assert.match(graph.toDot(), /"Step" \[label="Step\\nscoped, tags: step", style="rounded,dashed"\];/);
      assert.match(graph.toDot(), /"Runner" -> "Step" \[label="all\(step\)"\];/);
      assert.match(graph.toMermaid(), /n1 -->\|"all\(step\)"\| n0/);
    });
  });
});
