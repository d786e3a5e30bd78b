import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, optional } from '../../lib';
import { bootError, isError } from '../support/errors';

describe('@Service', () => {
  it('names the service after the class unless given a name, and carries its lifecycle options', async () => {
    @Service()
    class Sessions {}
    @Service({ name: 'search', required: false, retries: 2 })
    class SearchClient {
      onStart(): Promise<void> {
        return Promise.reject(new Error('red cluster'));
      }
    }
    const container = new Container({ logger: false });
    container.register(Sessions, SearchClient);
    const report = await container.startAll();
    assert.deepEqual(report.services.map((s) => [s.name, s.required, s.attempts, s.state]), [
      ['Sessions', true, 1, 'started'],
      ['search', false, 3, 'failed'],
    ]);
    assert.ok(container.resolve('Sessions') instanceof Sessions);
  });

  it('works as a TC39 standard class decorator too', async () => {
    class Standard {}
    Service({ name: 'standard' })(Standard, { kind: 'class', name: 'Standard' } as ClassDecoratorContext);
    const container = new Container({ logger: false });
    container.register(Standard);
    await container.startAll();
    assert.ok(container.resolve('standard') instanceof Standard);
  });

  it('throws InvalidDefinition on anything but a class', () => {
    class Host {}
    const methodContext = { kind: 'method', name: 'run' } as unknown as ClassDecoratorContext;
    assert.throws(() => Service({ name: 'oops' })(Host, methodContext), isError({ kind: 'InvalidDefinition', service: 'oops' }));
    assert.throws(() => Service()({} as never), isError({ kind: 'InvalidDefinition' }));
  });

  it('is not inherited: a subclass needs its own @Service', () => {
    @Service()
    class Base {}
    class Derived extends Base {}
    const container = new Container({ logger: false });
    assert.throws(() => container.register(Derived), isError({ kind: 'ServiceWithoutDecorator', service: 'Derived' }));
  });

  it('takes backoff and timeouts into the lifecycle', async () => {
    @Service({ startTimeout: 5, backoff: { initial: 1, max: 2 }, retries: 1 })
    class Hanging {
      onStart(): Promise<void> {
        return new Promise(() => undefined);
      }
    }
    const container = new Container({ logger: false });
    container.register(Hanging);
    const error = await bootError(container.startAll());
    assert.deepEqual(error.errors.map((e) => [e.kind, e.attempts, (e.cause as DOMException).name]), [['ServiceStartFailure', 2, 'TimeoutError']]);
  });

  it('takes optional(token) entries in its inject list, and factories take them in deps', async () => {
    @Service({ inject: ['db', optional('audit')] })
    class Listed {
      constructor(
        readonly db: string,
        readonly audit?: string,
      ) {}
    }
    const container = new Container({ logger: false });
    container.register(Listed, { name: 'db', useValue: 'the db' }, { name: 'report', useFactory: (audit?: string) => ({ audit }), deps: [optional('audit')] });
    await container.startAll();
    assert.deepEqual([container.resolve(Listed).db, container.resolve(Listed).audit], ['the db', undefined]);
    assert.deepEqual(container.resolve('report'), { audit: undefined });
  });
});
