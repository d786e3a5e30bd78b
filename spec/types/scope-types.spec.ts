// Type-level tests of scopes and multi-injection (expect-type, checked when the specs build).
import 'reflect-metadata';
import { describe, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import { all, Container, optional, Scope, Service, token, type AllToken, type InjectionToken, type ServiceScope } from '../../lib';

abstract class Repo {
  abstract find(): string;
}

@Service({ scope: 'scoped' })
class Ctx {
  readonly id = 1;
}

describe('public types of scopes', () => {
  it('scope.resolve is a promise of the token type; resolveAll an array of the tag type', () => {
    // checked by the compiler only: never called
    const check = (c: Container, s: Scope): void => {
      expectTypeOf(c.createScope()).toEqualTypeOf<Scope>();
      expectTypeOf(s.resolve(Ctx)).toEqualTypeOf<Promise<Ctx>>();
      expectTypeOf(s.resolve(token<number>('n'))).toEqualTypeOf<Promise<number>>();
      expectTypeOf(s.resolve<string>('greeting')).toEqualTypeOf<Promise<string>>();
      expectTypeOf(s.resolve('greeting')).toEqualTypeOf<Promise<unknown>>();
      expectTypeOf(s.resolveAll(token<string>('tag'))).toEqualTypeOf<Promise<string[]>>();
      expectTypeOf(c.resolveAll(token<string>('tag'))).toEqualTypeOf<string[]>();
      expectTypeOf(s.dispose()).toEqualTypeOf<Promise<void>>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it('an abstract class is a token that resolves to its type', () => {
    expectTypeOf(Repo).toMatchTypeOf<InjectionToken<Repo>>();
    const check = (c: Container): void => {
      expectTypeOf(c.resolve(Repo)).toEqualTypeOf<Repo>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it('scope is one of three names, and all/optional make inject entries', () => {
    expectTypeOf<ServiceScope>().toEqualTypeOf<'singleton' | 'transient' | 'scoped'>();
    expectTypeOf(all(token<number>('n'))).toEqualTypeOf<AllToken<number>>();
    expectTypeOf(optional('x').optional).toEqualTypeOf<true>();
  });
});
