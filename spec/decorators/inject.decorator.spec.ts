import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Inject, Optional, Service, token } from '../../lib';
import { isError } from '../support/errors';

interface Redis {
  ping(): string;
}

const REDIS = token<Redis>('rd-1');
const CLOCK = Symbol('clock');

describe('@Inject', () => {
  it('injects by string, symbol or typed token instead of the declared type', async () => {
    @Service()
    class Sessions {
      constructor(
        @Inject('config') readonly config: { ttl: number },
        @Inject(CLOCK) readonly clock: () => number,
        @Inject(REDIS) readonly redis: Redis,
      ) {}
    }
    const container = new Container({ logger: false });
    container.register(Sessions, { name: 'config', useValue: { ttl: 60 } }, { name: CLOCK, useValue: () => 1 }, { name: 'rd-1', useValue: { ping: () => 'PONG' } });
    await container.startAll();
    const sessions = container.resolve(Sessions);
    assert.deepEqual([sessions.config.ttl, sessions.clock(), sessions.redis.ping()], [60, 1, 'PONG']);
  });

  it('throws InvalidDefinition on a method parameter', () => {
    assert.throws(() => Inject('x')(class Host {}.prototype, 'run', 0), isError({ kind: 'InvalidDefinition', service: 'Host' }));
  });

  it('throws InvalidDefinition for an undefined token, the mark of a circular import', () => {
    assert.throws(() => Inject(undefined as never)(class Host {}, undefined, 1), isError({ kind: 'InvalidDefinition' }));
  });
});

describe('@Optional', () => {
  it('makes a parameter receive undefined when its service is not registered', async () => {
    @Service()
    class Api {
      constructor(@Optional() @Inject(REDIS) readonly redis?: Redis) {}
    }
    const container = new Container({ logger: false });
    container.register(Api);
    await container.startAll();
    assert.equal(container.resolve(Api).redis, undefined);
  });

  it('throws InvalidDefinition on a method parameter', () => {
    assert.throws(() => Optional()(class Host {}.prototype, 'run', 0), isError({ kind: 'InvalidDefinition', service: 'Host' }));
  });
});
