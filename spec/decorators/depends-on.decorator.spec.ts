import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, DependsOn, Service } from '../../lib';
import { isError } from '../support/errors';

describe('@DependsOn', () => {
  it('adds start-order dependencies, by name or class, accumulating over several uses', () => {
    @Service()
    class Migrations {}
    @Service()
    @DependsOn('mc-3')
    @DependsOn(Migrations, 'rd-1')
    class Api {}
    const container = new Container({ logger: false });
    container.register(Api, Migrations, { name: 'mc-3', useValue: 3 }, { name: 'rd-1', useValue: 1 });
    const edges = container.graph().edges.map((e) => [e.from, e.to, e.injected]);
    assert.deepEqual(edges.sort(), [
      ['Api', 'Migrations', false],
      ['Api', 'mc-3', false],
      ['Api', 'rd-1', false],
    ]);
  });

  it('throws InvalidDefinition for an undefined token, the mark of a circular import', () => {
    assert.throws(() => DependsOn('ok', undefined as never)(class Host {}), isError({ kind: 'InvalidDefinition', service: 'Host' }));
  });

  it('throws InvalidDefinition on anything but a class', () => {
    const context = { kind: 'field', name: 'x' } as unknown as ClassDecoratorContext;
    assert.throws(() => DependsOn('a')(class Host {}, context), isError({ kind: 'InvalidDefinition', service: 'Host' }));
  });
});
