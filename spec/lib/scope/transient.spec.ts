import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, type OnStop } from '../../../lib';

describe('Container', () => {
  describe('a singleton depending on a transient service', () => {
    it('gets its own instance per injection, built with started singletons, stopped after it and before their dependencies', async () => {
      const calls: string[] = [];
      @Service()
      class Pool implements OnStop {
        async onStart(): Promise<void> {
          await new Promise((r) => setTimeout(r, 5));
          calls.push('Pool started');
        }
        onStop(): void {
          calls.push('Pool stopped');
        }
      }
      @Service({ scope: 'transient' })
      class Conn implements OnStop {
        static made = 0;
        readonly n = ++Conn.made;
        constructor(readonly pool: Pool) {
          calls.push(`Conn ${this.n} built`);
        }
        async onStop(): Promise<void> {
          calls.push(`Conn ${this.n} stopped`);
        }
      }
      @Service()
      class Repo implements OnStop {
        constructor(
          readonly a: Conn,
          readonly b: Conn,
        ) {}
        onStop(): void {
          calls.push('Repo stopped');
        }
      }
      @Service()
      class Other {
        constructor(readonly c: Conn) {}
      }
      const container = new Container({ logger: false }).register(Conn, Repo, Pool, Other);
      await container.startAll();
      const repo = container.resolve(Repo);
      assert.notEqual(repo.a, repo.b);
      assert.notEqual(container.resolve(Other).c, repo.a);
      assert.equal(repo.a.pool, container.resolve(Pool));
      assert.equal(calls[0], 'Pool started');
      await container.stopAll();
      const stops = calls.filter((c) => c.endsWith('stopped'));
      assert.ok(stops.indexOf('Repo stopped') < stops.indexOf(`Conn ${repo.a.n} stopped`));
      assert.ok(stops.indexOf(`Conn ${repo.b.n} stopped`) < stops.indexOf(`Conn ${repo.a.n} stopped`), 'reverse creation order');
      assert.equal(stops.at(-1), 'Pool stopped');
      assert.equal(stops.length, 5);
    });

    it('builds an async transient factory before the singleton is constructed, and a fresh one after a restart', async () => {
      let made = 0;
      const container = new Container({ logger: false });
      container.register(
        { name: 'id', scope: 'transient', useFactory: async () => ++made },
        { name: 'user', deps: ['id', 'id'], useFactory: (a: number, b: number) => ({ a, b }) },
      );
      await container.startAll();
      assert.deepEqual(container.resolve('user'), { a: 1, b: 2 });
      await container.stopAll();
      await container.startAll();
      assert.deepEqual(container.resolve('user'), { a: 3, b: 4 });
      await container.stopAll();
    });

    it('is not resolvable from the container, which says to use a scope', async () => {
      @Service({ scope: 'transient' })
      class T {}
      const container = new Container({ logger: false }).register(T);
      await container.startAll();
      assert.throws(() => container.resolve(T), { kind: 'ServiceNotStarted', service: 'T' });
      await assert.rejects(container.start(T), { kind: 'ServiceNotStarted', service: 'T' });
      assert.ok((await container.createScope().resolve(T)) instanceof T);
      await container.stopAll();
    });
  });
});
