import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, BootError, Container, DependsOn, Inject, Optional, Service, token, type AnyDefinition, type Constructor, type ErrorKind } from '../../lib';

interface Expected {
  readonly kind: ErrorKind;
  readonly service?: string;
  readonly dependency?: string;
  readonly cycle?: readonly string[];
  /** A word the fix in `detail` must name. */
  readonly fix?: string;
}

/** Runs a misuse and checks it is answered by one typed error, thrown or rejected, never anything else. */
async function expectMisuse(act: () => unknown, expected: Expected): Promise<void> {
  let error: unknown;
  try {
    await act();
  } catch (e) {
    error = e;
  }
  if (error instanceof BootError) {
    assert.equal(error.errors.length, 1, `one error, got ${error.errors.map((e) => e.kind).join(', ')}`);
    error = error.errors[0];
  }
  assert.ok(error instanceof BandmasterError, `expected a BandmasterError, got ${String(error)}`);
  assert.equal(error.kind, expected.kind);
  if (expected.service !== undefined) assert.equal(error.service, expected.service);
  if (expected.dependency !== undefined) assert.equal(error.dependency, expected.dependency);
  if (expected.cycle !== undefined) assert.deepEqual(error.cycle, expected.cycle);
  if (expected.fix !== undefined) assert.ok(error.detail?.includes(expected.fix), `detail ${JSON.stringify(error.detail)} names ${expected.fix}`);
  if (expected.service !== undefined) assert.ok(error.message.includes(`\`${expected.service}\``), 'the message names the service');
}

const container = (): Container => new Container({ logger: false });
const register = (...services: unknown[]) => () => container().register(...(services as (Constructor | AnyDefinition)[]));
const boot = (...services: unknown[]) => () => container().register(...(services as (Constructor | AnyDefinition)[])).startAll();
const value = (name: string, extra: object = {}): AnyDefinition => ({ name, useValue: {}, ...extra }) as AnyDefinition;

@Service()
class Repo {}

interface Clock {
  now(): number;
}

describe('misuse', () => {
  describe('of the decorators', () => {
    it('@Service on something that is not a class', () =>
      expectMisuse(() => (Service() as unknown as (t: unknown) => void)({ not: 'a class' }), { kind: 'InvalidDefinition', fix: 'classes' }));
    it('@Service as a TC39 decorator on a method', () =>
      expectMisuse(() => Service({ name: 'svc' })(class {}, { kind: 'method' } as unknown as ClassDecoratorContext), { kind: 'InvalidDefinition', service: 'svc' }));
    it('@Inject on a method parameter', () =>
      expectMisuse(() => Inject('db')(Repo.prototype, 'save', 0), { kind: 'InvalidDefinition', service: 'Repo', fix: 'constructor' }));
    it('@Optional on a method parameter', () => expectMisuse(() => Optional()(Repo.prototype, 'save', 1), { kind: 'InvalidDefinition', service: 'Repo', fix: 'constructor' }));
    it('@Inject of an undefined class (a circular import)', () =>
      expectMisuse(() => Inject(undefined as unknown as string)(Repo, undefined, 0), { kind: 'InvalidDefinition', service: 'Repo', fix: 'circular import' }));
    it('@DependsOn with an undefined class', () =>
      expectMisuse(() => DependsOn(undefined as unknown as string)(class Api {}), { kind: 'InvalidDefinition', service: 'Api', fix: 'circular import' }));
    it('@Service({ inject }) with an undefined entry', () => {
      @Service({ inject: [undefined as unknown as string] })
      class Api {}
      return expectMisuse(register(Api), { kind: 'InvalidDefinition', service: 'Api', fix: 'circular import' });
    });
    it('registering a class without @Service', () => expectMisuse(register(class Plain {}), { kind: 'ServiceWithoutDecorator', service: 'Plain', fix: '@Service()' }));
    it('registering an undecorated subclass of a @Service class', () =>
      expectMisuse(register(class Sub extends Repo {}), { kind: 'ServiceWithoutDecorator', service: 'Sub', fix: '@Service()' }));
    it('a constructor parameter typed by an interface, without @Inject', () => {
      @Service()
      class Api {
        constructor(readonly clock: Clock) {}
      }
      return expectMisuse(register(Api), { kind: 'MetadataMissing', service: 'Api', fix: '@Inject' });
    });
    it('constructor parameters without decorator metadata (esbuild, no emitDecoratorMetadata)', () => {
      class Api {
        constructor(readonly repo: Repo) {}
      }
      Service()(Api);
      Reflect.deleteMetadata('design:paramtypes', Api);
      return expectMisuse(register(Api), { kind: 'MetadataMissing', service: 'Api', fix: 'emitDecoratorMetadata' });
    });
    it('a constructor parameter whose type was undefined when decorated (a circular import)', () => {
      class Api {
        constructor(readonly repo: Repo) {}
      }
      Service()(Api);
      Reflect.defineMetadata('design:paramtypes', [undefined], Api);
      return expectMisuse(register(Api), { kind: 'MetadataMissing', service: 'Api', fix: '@Inject' });
    });
  });

  describe('of register', () => {
    it('the same name twice', () => expectMisuse(register(value('db'), value('db')), { kind: 'ServiceAlreadyExists', service: 'db', fix: 'override()' }));
    it('the same class twice', () => expectMisuse(register(Repo, Repo), { kind: 'ServiceAlreadyExists', service: 'Repo' }));
    it('a class under a name another service has', () => expectMisuse(register(value('Repo'), Repo), { kind: 'ServiceAlreadyExists', service: 'Repo' }));
    it('a service that depends on itself', () => expectMisuse(register(value('db', { dependsOn: ['db'] })), { kind: 'ServiceDependsOnItself', service: 'db' }));
    it('a factory that injects itself through a typed token', () =>
      expectMisuse(register({ name: 'db', useFactory: () => ({}), deps: [token('db')] }), { kind: 'ServiceDependsOnItself', service: 'db' }));
    it('the same dependency twice in one list', () =>
      expectMisuse(register(value('api', { dependsOn: ['db', 'db'] })), { kind: 'ServiceDuplicateDependency', service: 'api', dependency: 'db' }));
    it('the same dependency as a string and as a typed token', () =>
      expectMisuse(register({ name: 'api', useFactory: () => ({}), deps: ['db', token('db')] }), { kind: 'ServiceDuplicateDependency', service: 'api', dependency: 'db' }));
    it('nothing, null or a number instead of a service', async () => {
      for (const bad of [undefined, null, 42, 'db']) await expectMisuse(register(bad), { kind: 'InvalidDefinition', fix: '@Service' });
    });
    it('a definition with no useValue, useFactory or useClass', () => expectMisuse(register({ name: 'db' }), { kind: 'InvalidDefinition', service: 'db', fix: 'useFactory' }));
    it('a definition with an empty or missing name', async () => {
      await expectMisuse(register({ name: '', useValue: 1 }), { kind: 'InvalidDefinition', fix: 'name' });
      await expectMisuse(register({ useValue: 1 }), { kind: 'InvalidDefinition', fix: 'name' });
    });
    it('a definition that gives both useValue and useFactory', () =>
      expectMisuse(register({ name: 'db', useValue: 1, useFactory: () => 2 }), { kind: 'InvalidDefinition', service: 'db', fix: 'not useValue and useFactory' }));
    it('a useClass definition with a deps list, which only factories take', () =>
      expectMisuse(register({ name: 'repo', useClass: Repo, deps: ['db'] }), { kind: 'InvalidDefinition', service: 'repo', fix: 'constructor' }));
    it('a useFactory that is not a function', () => expectMisuse(register({ name: 'db', useFactory: {} }), { kind: 'InvalidDefinition', service: 'db', fix: 'function' }));
    it('deps that are not an array, or hold something that names no service', async () => {
      await expectMisuse(register({ name: 'api', useFactory: () => 1, deps: 'db' }), { kind: 'InvalidDefinition', service: 'api', fix: 'array' });
      await expectMisuse(register({ name: 'api', useFactory: () => 1, deps: [undefined] }), { kind: 'InvalidDefinition', service: 'api', fix: 'circular import' });
      await expectMisuse(register({ name: 'api', useFactory: () => 1, deps: [{ name: 'db' }] }), { kind: 'InvalidDefinition', service: 'api', fix: 'token' });
    });
    it('dependsOn that is not an array', () => expectMisuse(register(value('api', { dependsOn: 'db' })), { kind: 'InvalidDefinition', service: 'api', fix: 'array' }));
    it('lifecycle options out of range', async () => {
      const bad: [object, string][] = [
        [{ retries: -1 }, 'retries'],
        [{ retries: 1.5 }, 'retries'],
        [{ retries: '3' }, 'retries'],
        [{ required: 'yes' }, 'required'],
        [{ startTimeout: 0 }, 'startTimeout'],
        [{ stopTimeout: -5 }, 'stopTimeout'],
        [{ startTimeout: Number.NaN }, 'startTimeout'],
        [{ backoff: -100 }, 'backoff'],
        [{ backoff: Infinity }, 'backoff'],
        [{ backoff: { initial: -1 } }, 'backoff'],
        [{ backoff: { initial: 10, factor: 0.5 } }, 'backoff.factor'],
        [{ backoff: { initial: 10, jitter: 2 } }, 'backoff.jitter'],
        [{ backoff: { initial: 10, max: -1 } }, 'backoff.max'],
      ];
      for (const [options, field] of bad) await expectMisuse(register(value('db', options)), { kind: 'InvalidDefinition', service: 'db', fix: field });
    });
    it('the same lifecycle options out of range in @Service', () => {
      @Service({ retries: -2 })
      class Worker {}
      return expectMisuse(register(Worker), { kind: 'InvalidDefinition', service: 'Worker', fix: 'retries' });
    });
  });

  describe('of the graph', () => {
    it('a dependency that is never registered: nothing is constructed', async () => {
      let built = 0;
      await expectMisuse(boot({ name: 'api', useFactory: () => ++built, deps: ['db'] }), { kind: 'DependencyMissing', service: 'api', dependency: 'db', fix: 'register' });
      assert.equal(built, 0);
    });
    it('a class dependency that is never registered names scan()', () => {
      @Service()
      class Api {
        constructor(readonly repo: Repo) {}
      }
      return expectMisuse(boot(Api), { kind: 'DependencyMissing', service: 'Api', dependency: 'Repo', fix: 'scan()' });
    });
    it('a cycle, with its path', () =>
      expectMisuse(boot(value('a', { dependsOn: ['b'] }), value('b', { dependsOn: ['c'] }), value('c', { dependsOn: ['a'] })), {
        kind: 'DependencyCircular',
        service: 'a',
        cycle: ['a', 'b', 'c', 'a'],
      }));
    it('start(token) of a service whose closure is broken', () =>
      expectMisuse(() => container().register(value('api', { dependsOn: ['db'] })).start('api'), { kind: 'DependencyMissing', service: 'api', dependency: 'db' }));
  });

  describe('of the container', () => {
    it('resolve of a service never registered', () => expectMisuse(() => container().resolve('nope'), { kind: 'ServiceUnknown', service: 'nope', fix: 'register' }));
    it('resolve of a service not started yet', () => expectMisuse(() => container().register(value('db')).resolve('db'), { kind: 'ServiceNotStarted', service: 'db', fix: 'startAll()' }));
    it('resolve of a class never registered names the class', () => expectMisuse(() => container().resolve(Repo), { kind: 'ServiceUnknown', service: 'Repo' }));
    it('ready of a service never registered rejects, never throws', async () => {
      const c = container();
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => (promise = c.ready(Symbol('ghost'))));
      await expectMisuse(() => promise, { kind: 'ServiceUnknown', service: 'ghost' });
    });
    it('start of a service never registered rejects', () => expectMisuse(() => container().start('nope'), { kind: 'ServiceUnknown', service: 'nope' }));
    it('override of a running service', async () => {
      const c = container().register(value('db'));
      await c.startAll();
      await expectMisuse(() => c.override('db', { useValue: {} }), { kind: 'InvalidDefinition', service: 'db', fix: 'stopAll()' });
      await c.stopAll();
    });
    it('override with nothing to provide', () =>
      expectMisuse(() => container().register(value('db')).override('db', {} as never), { kind: 'InvalidDefinition', service: 'db', fix: 'useFactory' }));
  });
});
