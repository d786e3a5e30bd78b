import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, Inject, Service, token, type OnStart } from '../../../lib';

const REQUEST = token('request');

async function bootErrors(container: Container): Promise<{ kind: string; service?: string; dependency?: string; cycle?: readonly string[] }[]> {
  const error: unknown = await container.startAll().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof BootError, String(error));
  return error.errors.map((e) => ({ kind: e.kind, service: e.service, dependency: e.dependency, ...(e.cycle ? { cycle: e.cycle } : {}) }));
}

describe('Container', () => {
  describe('startAll validation of scopes', () => {
    it('rejects a singleton depending on a scoped service as ScopeMismatch naming both, before anything starts', async () => {
      const started: string[] = [];
      @Service({ scope: 'scoped' })
      class RequestContext {}
      @Service()
      class Reports implements OnStart {
        constructor(readonly ctx: RequestContext) {}
        onStart(): void {
          started.push('Reports');
        }
      }
      @Service()
      class Other implements OnStart {
        onStart(): void {
          started.push('Other');
        }
      }
      const container = new Container({ logger: false }).register(RequestContext, Reports, Other);
      assert.deepEqual(await bootErrors(container), [{ kind: 'ScopeMismatch', service: 'Reports', dependency: 'RequestContext' }]);
      assert.deepEqual(started, []);
    });

    it('rejects a singleton depending on a value only a scope provides, and one reaching a scoped service through a transient', async () => {
      @Service({ scope: 'scoped' })
      class Ctx {
        constructor(@Inject(REQUEST) readonly req: unknown) {}
      }
      @Service({ scope: 'transient' })
      class Helper {
        constructor(readonly ctx: Ctx) {}
      }
      @Service()
      class Direct {
        constructor(@Inject(REQUEST) readonly req: unknown) {}
      }
      @Service()
      class Indirect {
        constructor(readonly helper: Helper) {}
      }
      const container = new Container({ logger: false }).register(Ctx, Helper, Direct, Indirect);
      assert.deepEqual(await bootErrors(container), [
        { kind: 'ScopeMismatch', service: 'Direct', dependency: 'request' },
        { kind: 'ScopeMismatch', service: 'Indirect', dependency: 'Ctx' },
      ]);
    });

    it('reports a cycle among scoped services as DependencyCircular with its path', async () => {
      const container = new Container({ logger: false });
      container.register(
        { name: 'a', scope: 'scoped', deps: ['b'], useFactory: (b: unknown) => ({ b }) },
        { name: 'b', scope: 'transient', deps: ['a'], useFactory: (a: unknown) => ({ a }) },
      );
      assert.deepEqual(await bootErrors(container), [{ kind: 'DependencyCircular', service: 'a', dependency: undefined, cycle: ['a', 'b', 'a'] }]);
    });

    it('does not count a dependency of a scoped service that no registration gives as missing', async () => {
      @Service({ scope: 'scoped' })
      class Ctx {
        constructor(@Inject(REQUEST) readonly req: unknown) {}
      }
      const container = new Container({ logger: false }).register(Ctx);
      await container.startAll();
      await container.stopAll();
    });

    it('still reports a singleton depending on an unregistered token no scope uses as DependencyMissing', async () => {
      @Service()
      class Lonely {
        constructor(@Inject('nowhere') readonly x: unknown) {}
      }
      const container = new Container({ logger: false }).register(Lonely);
      assert.deepEqual(await bootErrors(container), [{ kind: 'DependencyMissing', service: 'Lonely', dependency: 'nowhere' }]);
    });

    it('rejects an invalid scope or tags option as InvalidDefinition', () => {
      const container = new Container({ logger: false });
      assert.throws(() => container.register({ name: 'x', useValue: 1, scope: 'request' as never }), { kind: 'InvalidDefinition' });
      assert.throws(() => container.register({ name: 'y', useValue: 1, tags: [undefined as never] }), { kind: 'InvalidDefinition' });
    });
  });
});
