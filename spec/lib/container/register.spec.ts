import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, DependsOn, Inject, Optional, Service, token } from '../../../lib';
import { assertBandmasterError, isError } from '../../support/errors';

interface Audit {
  log(line: string): void;
}

describe('Container', () => {
  describe('register', () => {
    it('throws ServiceAlreadyExists when a name is taken', () => {
      const container = new Container({ logger: false });
      container.register({ name: 'A', useValue: 1 });
      assert.throws(() => container.register({ name: 'A', useValue: 2, required: false }), isError({ kind: 'ServiceAlreadyExists', service: 'A' }));
    });

    it('throws ServiceAlreadyExists when a class is registered twice', () => {
      @Service()
      class Cache {}
      const container = new Container({ logger: false });
      container.register(Cache);
      assert.throws(() => container.register(Cache), isError({ kind: 'ServiceAlreadyExists', service: 'Cache' }));
    });

    it('throws ServiceAlreadyExists when a definition takes the name of a class', () => {
      @Service({ name: 'cache' })
      class Cache {}
      const container = new Container({ logger: false });
      container.register(Cache);
      assert.throws(() => container.register({ name: 'cache', useValue: {} }), isError({ kind: 'ServiceAlreadyExists', service: 'cache' }));
    });

    it('throws ServiceDependsOnItself for a definition that lists its own name', () => {
      const container = new Container({ logger: false });
      assert.throws(() => container.register({ name: 'X', useFactory: () => 1, deps: ['X'] }), isError({ kind: 'ServiceDependsOnItself', service: 'X' }));
      assert.throws(() => container.register({ name: 'Y', useValue: 1, dependsOn: ['Y'] }), isError({ kind: 'ServiceDependsOnItself', service: 'Y' }));
    });

    it('throws ServiceDependsOnItself for a class whose constructor takes itself', () => {
      @Service()
      class Loop {
        constructor(readonly self: Loop) {}
      }
      const container = new Container({ logger: false });
      assert.throws(() => container.register(Loop), isError({ kind: 'ServiceDependsOnItself', service: 'Loop' }));
    });

    it('throws ServiceDependsOnItself for a class that injects or @DependsOn its own name', () => {
      @Service({ name: 'self-injecting' })
      class SelfInjecting {
        constructor(@Inject('self-injecting') readonly self: unknown) {}
      }
      @Service({ name: 'self-ordered' })
      @DependsOn('self-ordered')
      class SelfOrdered {}
      const container = new Container({ logger: false });
      assert.throws(() => container.register(SelfInjecting), isError({ kind: 'ServiceDependsOnItself', service: 'self-injecting' }));
      assert.throws(() => container.register(SelfOrdered), isError({ kind: 'ServiceDependsOnItself', service: 'self-ordered' }));
    });

    it('throws ServiceDuplicateDependency when one list names a dependency twice', () => {
      @Service({ name: 'X' })
      @DependsOn('B', 'B')
      class Twice {}
      const container = new Container({ logger: false });
      assert.throws(() => container.register({ name: 'X', useFactory: () => 1, deps: ['B', 'B'] }), isError({ kind: 'ServiceDuplicateDependency', service: 'X', dependency: 'B' }));
      assert.throws(() => container.register({ name: 'X', useValue: 1, dependsOn: ['B', 'B'] }), isError({ kind: 'ServiceDuplicateDependency', service: 'X', dependency: 'B' }));
      assert.throws(() => container.register(Twice), isError({ kind: 'ServiceDuplicateDependency', service: 'X', dependency: 'B' }));
    });

    it('accepts the same service both injected and in @DependsOn, which are two lists', async () => {
      @Service()
      @DependsOn('db')
      class Repo {
        constructor(@Inject('db') readonly db: { url: string }) {}
      }
      const container = new Container({ logger: false });
      container.register(Repo, { name: 'db', useValue: { url: 'pg://' } });
      await container.startAll();
      assert.equal(container.resolve(Repo).db.url, 'pg://');
    });

    it('throws ServiceWithoutDecorator for a class without @Service', () => {
      class Plain {}
      const container = new Container({ logger: false });
      assert.throws(() => container.register(Plain), isError({ kind: 'ServiceWithoutDecorator', service: 'Plain' }));
    });

    it('throws MetadataMissing naming the class, the parameter index and both fixes', () => {
      @Service()
      class Db {}
      // applying the decorator by hand is what a compiler without emitDecoratorMetadata amounts to
      class Repo {
        constructor(
          readonly name: string,
          readonly db: Db,
        ) {}
      }
      Inject('repo-name')(Repo, undefined, 0);
      Service()(Repo);
      const container = new Container({ logger: false });
      let error: unknown;
      try {
        container.register(Repo);
      } catch (e) {
        error = e;
      }
      assertBandmasterError(error, { kind: 'MetadataMissing', service: 'Repo' });
      for (const part of ['Repo', 'parameter 1', 'emitDecoratorMetadata', 'inject: [']) assert.ok(error.detail?.includes(part), `detail names ${part}: ${error.detail}`);
    });

    it('throws MetadataMissing for a parameter typed as an interface, naming @Inject as the fix', () => {
      @Service()
      class Reports {
        constructor(readonly audit: Audit) {}
      }
      const container = new Container({ logger: false });
      let error: unknown;
      try {
        container.register(Reports);
      } catch (e) {
        error = e;
      }
      assertBandmasterError(error, { kind: 'MetadataMissing', service: 'Reports' });
      for (const part of ['parameter 0', 'Reports', '@Inject']) assert.ok(error.detail?.includes(part), `detail names ${part}: ${error.detail}`);
    });

    it('takes the dependencies of a class without metadata from its inject list', async () => {
      class Clock {
        now = (): number => 7;
      }
      class Reports {
        constructor(
          readonly clock: Clock,
          readonly region: string,
        ) {}
      }
      Service({ inject: ['clock', 'region'] })(Reports);
      const container = new Container({ logger: false });
      container.register(Reports, { name: 'clock', useValue: new Clock() }, { name: 'region', useValue: 'eu' });
      await container.startAll();
      assert.equal(container.resolve(Reports).clock.now(), 7);
      assert.equal(container.resolve(Reports).region, 'eu');
    });

    it('accepts dependencies on services registered later', async () => {
      @Service()
      class Api {
        constructor(
          @Inject('db') readonly db: { kind: string },
          @Optional() @Inject('audit') readonly audit?: Audit,
        ) {}
      }
      const container = new Container({ logger: false });
      container.register(Api);
      container.register({ name: 'db', useValue: { kind: 'pg' } });
      await container.startAll();
      assert.equal(container.resolve(Api).db.kind, 'pg');
      assert.equal(container.resolve(Api).audit, undefined);
    });

    it('throws InvalidDefinition for lifecycle options out of range', () => {
      const container = new Container({ logger: false });
      const bad = [{ retries: -1 }, { retries: 1.5 }, { backoff: -5 }, { startTimeout: 0 }, { stopTimeout: Number.NaN }, { backoff: { initial: 10, factor: 0.5 } }, { backoff: { initial: 10, jitter: 2 } }];
      for (const options of bad) {
        assert.throws(() => container.register({ name: 'x', useValue: 1, ...options }), isError({ kind: 'InvalidDefinition', service: 'x' }), JSON.stringify(options));
      }
      assert.throws(() => container.register({ name: '', useValue: 1 }), isError({ kind: 'InvalidDefinition' }));
      assert.throws(() => container.register({ name: 'y' } as never), isError({ kind: 'InvalidDefinition', service: 'y' }));
    });

    it('registers symbols and typed tokens under their names', async () => {
      const AUDIT = Symbol('audit');
      const REGION = token<string>('region');
      const container = new Container({ logger: false });
      container.register({ name: AUDIT, useValue: 'audit-log' }, { name: REGION, useValue: 'eu' });
      await container.startAll();
      assert.equal(container.resolve(AUDIT), 'audit-log');
      assert.equal(container.resolve(REGION), 'eu');
      assert.equal(container.resolve('region'), 'eu');
      assert.deepEqual(container.status().map((s) => s.name), ['audit', 'region']);
    });
  });
});
