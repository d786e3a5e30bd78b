import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Inject, Optional, Service, isBandmasterError } from '../../lib';

@Service()
class Clock {
  readonly now = 42;
}

describe('a derived @Service class without its own constructor', () => {
  it('is built with its base class constructor dependencies: types, @Inject and @Optional', async () => {
    class Repo {
      constructor(
        readonly clock: Clock,
        @Inject('db') readonly db: string,
        @Optional() @Inject('audit') readonly audit?: string,
      ) {}
    }
    @Service()
    class Users extends Repo {}

    const c = new Container({ logger: false });
    c.register(Clock, Users, { name: 'db', useValue: 'the db' });
    await c.startAll();
    const users = c.resolve(Users);
    assert.ok(users.clock instanceof Clock);
    assert.equal(users.db, 'the db');
    assert.equal(users.audit, undefined);
    assert.deepEqual(c.graph().edges.map((e) => [e.from, e.to, e.optional]), [
      ['Users', 'Clock', false],
      ['Users', 'db', false],
      ['Users', 'audit', true],
    ]);
  });

  it('inherits through several levels and from a base class decorated with @Service({ inject })', async () => {
    @Service({ inject: ['db'] })
    class Base {
      constructor(readonly db: string) {}
    }
    class Middle extends Base {}
    @Service({ name: 'leaf' })
    class Leaf extends Middle {}

    const c = new Container({ logger: false });
    c.register(Leaf, { name: 'db', useValue: 'the db' });
    await c.startAll();
    assert.equal(c.resolve(Leaf).db, 'the db');
  });

  it('keeps its own constructor when it has one', async () => {
    class Base {
      constructor(@Inject('db') readonly db: string) {}
    }
    @Service()
    class Own extends Base {
      constructor(readonly clock: Clock) {
        super('fixed');
      }
    }
    const c = new Container({ logger: false });
    c.register(Clock, Own);
    await c.startAll();
    assert.equal(c.resolve(Own).db, 'fixed');
    assert.ok(c.resolve(Own).clock instanceof Clock);
  });

  it('is a MetadataMissing naming the base class when no class in the chain has metadata', () => {
    class Plain {
      constructor(readonly db: unknown) {}
    }
    @Service()
    class Derived extends Plain {}
    // no decorator ran on Plain's constructor: simulate a compiler without emitDecoratorMetadata
    Reflect.deleteMetadata('design:paramtypes', Derived);
    const c = new Container({ logger: false });
    assert.throws(
      () => c.register(Derived),
      (e) => isBandmasterError(e, 'MetadataMissing') && e.service === 'Derived' && /inherited from Plain/.test(e.message),
    );
  });
});
