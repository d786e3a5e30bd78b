import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, DependsOn, Inject, Optional, Service } from '../../../lib';
import { bootError, isError } from '../../support/errors';

@Service()
class Db {}

@Service()
class Migrations {
  constructor(readonly db: Db) {}
}

@Service()
class Cache {}

@Service()
@DependsOn(Migrations)
class Repo {
  constructor(
    readonly db: Db,
    @Optional() readonly cache?: Cache,
  ) {}
}

@Service()
class Api {
  constructor(
    readonly repo: Repo,
    @Inject('config') readonly config: { port: number },
  ) {}
}

const names = (container: Container): string[] => container.status().map((s) => s.name).sort();

describe('Container', () => {
  describe('scan', () => {
    it('registers the roots and, transitively, every @Service class they depend on', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'config', useValue: { port: 8080 } });
      container.scan(Api);
      assert.deepEqual(names(container), ['Api', 'Cache', 'Db', 'Migrations', 'Repo', 'config']);
      await container.startAll();
      const api = container.resolve(Api);
      assert.equal(api.repo.db, container.resolve(Db));
      assert.equal(api.repo.cache, container.resolve(Cache));
      assert.equal(container.resolve(Migrations).db, api.repo.db);
    });

    it('skips classes already registered, whatever their name', async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'database', useClass: Db });
      container.register(Repo);
      container.scan(Repo, Migrations);
      assert.deepEqual(names(container), ['Cache', 'Migrations', 'Repo', 'database']);
    });

    it('does not invent services for string tokens', async () => {
      const container = new Container({ logger: false });
      container.scan(Api);
      const error = await bootError(container.startAll());
      assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.dependency]), [['DependencyMissing', 'Api', 'config']]);
    });

    it('throws ServiceWithoutDecorator for a root without @Service', () => {
      class Plain {}
      const container = new Container({ logger: false });
      assert.throws(() => container.scan(Plain), isError({ kind: 'ServiceWithoutDecorator', service: 'Plain' }));
    });
  });
});
