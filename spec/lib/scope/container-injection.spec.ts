import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Inject, Service, type OnStop } from '../../../lib';

abstract class Repo {
  abstract find(id: number): string;
}

@Service()
class PgRepo extends Repo {
  find(id: number): string {
    return `pg:${id}`;
  }
}

describe('Container', () => {
  describe('injecting the container and abstract classes', () => {
    it('gives the container to a parameter typed Container or @Inject(Container)', async () => {
      @Service()
      class Typed {
        constructor(readonly container: Container) {}
      }
      @Service({ inject: [Container] })
      class Listed {
        constructor(readonly container: Container) {}
      }
      @Service()
      class Named {
        constructor(@Inject(Container) readonly container: unknown) {}
      }
      const container = new Container({ logger: false }).register(Typed, Listed, Named);
      await container.startAll();
      assert.equal(container.resolve(Typed).container, container);
      assert.equal(container.resolve(Listed).container, container);
      assert.equal(container.resolve(Named).container, container);
      await container.stopAll();
    });

    it('registers an implementation under an abstract class, which parameters typed with it receive', async () => {
      @Service()
      class Users {
        constructor(readonly repo: Repo) {}
      }
      const container = new Container({ logger: false });
      container.register({ name: Repo, useClass: PgRepo }, Users);
      await container.startAll();
      const repo: Repo = container.resolve(Repo);
      assert.ok(repo instanceof PgRepo);
      assert.equal(container.resolve(Users).repo, repo);
      assert.equal(container.resolve(PgRepo), repo);
      assert.equal(repo.find(1), 'pg:1');
      await container.stopAll();
    });

    it('stops everything on Symbol.asyncDispose (await using)', async () => {
      const calls: string[] = [];
      @Service()
      class Closing implements OnStop {
        onStop(): void {
          calls.push('stopped');
        }
      }
      {
        const container = new Container({ logger: false }).register(Closing);
        await container.startAll();
        await container[Symbol.asyncDispose]();
      }
      assert.deepEqual(calls, ['stopped']);
    });
  });
});
