// Type-level tests of the public types (expect-type): the assertions are checked by the compiler
// when `npm test` builds the specs, so a change that widens, narrows or breaks one of these types
// fails the build; each `it` also runs, so the runner reports what is covered.
import 'reflect-metadata';
import { describe, it } from 'node:test';
import { expectTypeOf } from 'expect-type';
import type { Pool } from 'pg';
import { Container, Service, token, type FactoryDefinition, type InjectionToken, type LifecycleEvent, type LifecycleEventType, type Resolved, type Token } from '../../lib';
import { memcached, type MemcachedClient } from '../../providers/memcached';
import { redis, type RedisClient } from '../../providers/redis';
import { sql } from '../../providers/sql';

@Service()
class Clock {
  now(): number {
    return 0;
  }
}

describe('public types', () => {
  it('token<T>(name) is a Token<T> that carries T and nothing else', () => {
    const db = token<Pool>('db');
    expectTypeOf(db).toEqualTypeOf<Token<Pool>>();
    expectTypeOf(db.name).toEqualTypeOf<string>();
    expectTypeOf<Resolved<typeof db>>().toEqualTypeOf<Pool>();
    expectTypeOf(db).toMatchTypeOf<InjectionToken<Pool>>();
    expectTypeOf(token<string>('a')).not.toEqualTypeOf<Token<number>>();
  });

  it('resolve<T> infers from a token or a class, defaults to unknown for a name, and get adds undefined', () => {
    const container = new Container({ logger: false });
    expectTypeOf(container.resolve).parameter(0).toEqualTypeOf<InjectionToken<unknown>>();
    expectTypeOf<ReturnType<typeof container.resolve<Pool>>>().toEqualTypeOf<Pool>();
    const resolveToken = (): Pool => container.resolve(token<Pool>('db'));
    const resolveClass = (): Clock => container.resolve(Clock);
    const resolveName = () => container.resolve('db');
    const getToken = () => container.get(token<Pool>('db'));
    expectTypeOf(resolveToken).returns.toEqualTypeOf<Pool>();
    expectTypeOf(resolveClass).returns.toEqualTypeOf<Clock>();
    expectTypeOf(resolveName).returns.toEqualTypeOf<unknown>();
    expectTypeOf(getToken).returns.toEqualTypeOf<Pool | undefined>();
    // @ts-expect-error a token of one type does not resolve to another
    const wrong: () => string = () => container.resolve(token<Pool>('db'));
    expectTypeOf(wrong).toBeFunction();
  });

  it('the lifecycle event union is discriminated by type, with each variant its own fields', () => {
    expectTypeOf<LifecycleEventType>().toEqualTypeOf<'starting' | 'started' | 'start-retrying' | 'start-failed' | 'stopping' | 'stopped' | 'stop-retrying' | 'stop-failed' | 'lost' | 'restarting' | 'restarted' | 'restart-failed' | 'acquired' | 'released' | 'standby'>();
    expectTypeOf<Extract<LifecycleEvent, { type: 'started' }>['durationMs']>().toEqualTypeOf<number>();
    expectTypeOf<Extract<LifecycleEvent, { type: 'start-retrying' }>['delayMs']>().toEqualTypeOf<number>();
    expectTypeOf<LifecycleEvent['service']>().toEqualTypeOf<string>();
    const describe = (e: LifecycleEvent): string => {
      if (e.type === 'start-retrying') return `${e.service} retries in ${e.delayMs}ms`;
      // @ts-expect-error delayMs exists only on the retrying variants
      return String(e.delayMs);
    };
    expectTypeOf(describe).parameter(0).toEqualTypeOf<LifecycleEvent>();
  });

  it('provider factories return a factory definition of their client type and check their options', () => {
    expectTypeOf(redis).returns.toEqualTypeOf<FactoryDefinition<RedisClient>>();
    expectTypeOf(memcached).returns.toEqualTypeOf<FactoryDefinition<MemcachedClient>>();
    expectTypeOf(sql).returns.toEqualTypeOf<FactoryDefinition<Pool>>();
    expectTypeOf(redis).parameter(0).toHaveProperty('name');
    expectTypeOf(redis).parameter(0).toHaveProperty('retries');
    expectTypeOf<Parameters<typeof redis>[0]['name']>().toEqualTypeOf<string>();
    // @ts-expect-error an unknown option is a type error
    const bad: Parameters<typeof redis>[0] = { name: 'rd-1', retrys: 3 };
    expectTypeOf(bad).toHaveProperty('name');
  });
});
