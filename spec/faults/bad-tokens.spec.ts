import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BandmasterError, Container, DependsOn, Inject, Service, isBandmasterError, optional } from '../../lib';

const revoked = Proxy.revocable({}, {});
revoked.revoke();

/** Values that are not tokens, as a caller gets them by mistake. */
const BAD_TOKENS: readonly { readonly label: string; readonly value: unknown }[] = [
  { label: 'undefined (a class lost to a circular import)', value: undefined },
  { label: 'null', value: null },
  { label: 'a number', value: 42 },
  { label: 'NaN', value: NaN },
  { label: 'a boolean', value: true },
  { label: "a plain object { name: 'rd' }", value: { name: 'rd' } },
  { label: 'an array', value: ['rd'] },
  { label: 'a null-prototype object', value: Object.create(null) },
  { label: 'a revoked proxy', value: revoked.proxy },
];

type Call = (c: Container, token: never) => unknown;

/** Every API entry that takes a token, and how it reports a bad one. */
const ENTRIES: readonly { readonly method: string; readonly call: Call; readonly rejects: boolean }[] = [
  { method: 'resolve()', call: (c, t) => c.resolve(t), rejects: false },
  { method: 'get()', call: (c, t) => c.get(t), rejects: false },
  { method: 'override()', call: (c, t) => c.override(t, { useValue: 1 }), rejects: false },
  { method: 'ready()', call: (c, t) => c.ready(t), rejects: true },
  { method: 'start()', call: (c, t) => c.start(t), rejects: true },
];

function assertInvalidArgument(error: unknown, method: string): void {
  assert.ok(isBandmasterError(error, 'InvalidArgument'), `expected InvalidArgument, got ${String(error)}`);
  assert.equal(error.service, method);
  assert.equal(error.argument, 'token');
  assert.match(error.message, /a token is a class, a string, a symbol or token<T>\(name\)|is not a token/);
}

describe('bad tokens', () => {
  for (const { label, value } of BAD_TOKENS) {
    for (const { method, call, rejects } of ENTRIES) {
      it(`passed to ${method} (${label}) ${rejects ? 'reject' : 'throw'} an InvalidArgument naming the argument`, async () => {
        const c = new Container({ logger: false });
        c.register({ name: 'rd', useValue: 'the real rd' });
        await c.startAll();
        let result: unknown;
        try {
          result = call(c, value as never);
        } catch (error) {
          assert.equal(rejects, false, `${method} threw instead of rejecting`);
          assertInvalidArgument(error, method);
          return;
        }
        assert.ok(rejects && result instanceof Promise, `${method} accepted ${label}`);
        await assert.rejects(result, (error) => (assertInvalidArgument(error, method), true));
      });
    }

    it(`as a dependency (${label}) is an InvalidDefinition at registration, for every form`, () => {
      const c = new Container({ logger: false });
      assert.throws(() => c.register({ name: 'a', useFactory: () => 1, deps: [value as never] }), (e) => isBandmasterError(e, 'InvalidDefinition'));
      assert.throws(() => c.register({ name: 'b', useValue: 1, dependsOn: [value as never] }), (e) => isBandmasterError(e, 'InvalidDefinition'));
      assert.throws(() => Inject(value as never)(class X {}, undefined, 0), (e) => isBandmasterError(e, 'InvalidDefinition'));
      assert.throws(() => DependsOn(value as never)(class Y {}, undefined as never), (e) => isBandmasterError(e, 'InvalidDefinition'));
    });
  }

  it('say what to pass instead: the likely circular import for undefined, the string for a plain object', () => {
    const c = new Container({ logger: false });
    assert.throws(() => c.resolve(undefined as never), /circular import/);
    assert.throws(() => c.resolve({ name: 'rd' } as never), /pass the string "rd" or token<T>\("rd"\)/);
  });

  it('never let a plain object { name } stand for the service of that name', () => {
    const c = new Container({ logger: false });
    c.register({ name: 'rd', useValue: 1 });
    assert.throws(() => c.get({ name: 'rd' } as never), (e) => isBandmasterError(e, 'InvalidArgument'));
  });

  it('make ready() reject, never throw, on bad options too', async () => {
    const c = new Container({ logger: false });
    c.register({ name: 'rd', useValue: 1 });
    await assert.rejects(c.ready('rd', null as never), (e) => isBandmasterError(e, 'InvalidArgument') && e.argument === 'options');
  });

  it('leave a valid token that names nothing a ServiceUnknown', async () => {
    const c = new Container({ logger: false });
    assert.throws(() => c.resolve('ghost'), (e) => isBandmasterError(e, 'ServiceUnknown'));
    assert.equal(c.get('ghost'), undefined);
    await assert.rejects(c.ready('ghost'), (e) => isBandmasterError(e, 'ServiceUnknown'));
  });
});

describe('two symbols with the same description', () => {
  it('are not two services shown under one name: the second is a ServiceAlreadyExists saying why', async () => {
    const c = new Container({ logger: false });
    const first = Symbol('db');
    c.register({ name: first, useValue: 1 });
    assert.throws(
      () => c.register({ name: Symbol('db'), useValue: 2 }),
      (e) => e instanceof BandmasterError && e.kind === 'ServiceAlreadyExists' && e.service === 'db' && /distinct description/.test(e.message),
    );
    assert.throws(() => c.register({ name: 'db', useValue: 3 }), (e) => isBandmasterError(e, 'ServiceAlreadyExists'));
    c.register({ name: Symbol('db-2'), useValue: 2 });
    assert.deepEqual(c.status().map((s) => s.name), ['db', 'db-2']);
    await c.startAll();
    assert.equal(c.resolve(first), 1);
  });

  it('is rejected after a string service of that name too', () => {
    @Service({ name: 'plain' })
    class Plain {}
    const c = new Container({ logger: false });
    c.register({ name: 'db', useValue: 1 }, Plain);
    assert.throws(() => c.register({ name: Symbol('db'), useValue: 2 }), (e) => isBandmasterError(e, 'ServiceAlreadyExists'));
  });
});

describe('optional()', () => {
  for (const { label, value } of BAD_TOKENS) {
    it(`of a bad token (${label}) is an InvalidArgument naming optional()`, () => {
      assert.throws(() => optional(value as never), (e) => isBandmasterError(e, 'InvalidArgument') && e.service === 'optional()' && e.argument === 'token');
    });
  }
});
