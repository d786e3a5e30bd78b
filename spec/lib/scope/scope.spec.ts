import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Inject, Optional, Scope, Service, ShutdownError, token, type OnStart, type OnStop } from '../../../lib';
import { isError } from '../../support/errors';

const REQUEST = token<{ id: number }>('request');

@Service()
class Db {
  readonly queries: string[] = [];
}

@Service()
class Clock {
  now(): number {
    return 42;
  }
}

@Service({ scope: 'scoped' })
class RequestContext {
  constructor(
    @Inject(REQUEST) readonly req: { id: number },
    readonly db: Db,
  ) {}
}

@Service({ scope: 'transient' })
class Stamp {
  static made = 0;
  readonly n = ++Stamp.made;
  constructor(readonly clock: Clock) {}
}

@Service({ scope: 'scoped' })
class Handler {
  constructor(
    readonly ctx: RequestContext,
    readonly a: Stamp,
    readonly b: Stamp,
    readonly db: Db,
  ) {}
}

async function booted(...extra: Parameters<Container['register']>): Promise<Container> {
  const container = new Container({ logger: false });
  container.register(Db, Clock, RequestContext, Stamp, Handler, ...extra);
  await container.startAll();
  return container;
}

describe('Scope', () => {
  it('gives one instance of a scoped service per scope, built with started singletons and provided values', async () => {
    const container = await booted();
    const one = container.createScope().provide(REQUEST, { id: 1 });
    const two = container.createScope().provide(REQUEST, { id: 2 });
    const [a, b] = await Promise.all([one.resolve(RequestContext), one.resolve(RequestContext)]);
    assert.equal(a, b);
    assert.equal(a, await one.resolve(RequestContext));
    const c = await two.resolve(RequestContext);
    assert.notEqual(a, c);
    assert.deepEqual([a.req.id, c.req.id], [1, 2]);
    assert.equal(a.db, container.resolve(Db));
    assert.equal(await one.resolve(Db), container.resolve(Db));
    await Promise.all([one.dispose(), two.dispose()]);
    await container.stopAll();
  });

  it('builds a transient service anew for every injection and every resolve, and scoped ones see each other', async () => {
    const container = await booted();
    const scope = container.createScope().provide(REQUEST, { id: 7 });
    const handler = await scope.resolve(Handler);
    assert.notEqual(handler.a, handler.b);
    assert.equal(handler.ctx, await scope.resolve(RequestContext));
    assert.notEqual(await scope.resolve(Stamp), await scope.resolve(Stamp));
    assert.equal(handler.a.clock, container.resolve(Clock));
    await scope.dispose();
    await container.stopAll();
  });

  it('disposes scoped instances in reverse creation order, once', async () => {
    const calls: string[] = [];
    @Service({ scope: 'scoped' })
    class First implements OnStop {
      onStop(): void {
        calls.push('First');
      }
    }
    @Service({ scope: 'scoped' })
    class Second {
      constructor(readonly first: First) {}
      async [Symbol.asyncDispose](): Promise<void> {
        await new Promise((r) => setTimeout(r, 5));
        calls.push('Second');
      }
    }
    @Service({ scope: 'transient' })
    class Third implements OnStop {
      constructor(readonly second: Second) {}
      async onStop(): Promise<void> {
        calls.push('Third');
      }
    }
    const container = await booted(First, Second, Third);
    const scope = container.createScope();
    await scope.resolve(Third);
    await Promise.all([scope.dispose(), scope.dispose(), scope[Symbol.asyncDispose]()]);
    await scope.dispose();
    assert.deepEqual(calls, ['Third', 'Second', 'First']);
    assert.equal(scope.disposed, true);
    await assert.rejects(scope.resolve(First), isError({ kind: 'InvalidArgument' }));
    await container.stopAll();
  });

  it('awaits the onStart of what it builds, bounded by its startTimeout', async () => {
    @Service({ scope: 'scoped' })
    class Warm implements OnStart {
      ready = false;
      async onStart(): Promise<void> {
        await new Promise((r) => setTimeout(r, 5));
        this.ready = true;
      }
    }
    @Service({ scope: 'scoped', startTimeout: 20 })
    class Stuck implements OnStart {
      onStart(): Promise<void> {
        return new Promise(() => undefined);
      }
    }
    const container = await booted(Warm, Stuck);
    const scope = container.createScope();
    assert.equal((await scope.resolve(Warm)).ready, true);
    await assert.rejects(scope.resolve(Stuck), isError({ kind: 'ServiceStartFailure', service: 'Stuck' }));
    await scope.dispose();
    await container.stopAll();
  });

  it('builds async factories of plain definitions with scope: scoped, and gives provided values to them', async () => {
    let made = 0;
    const container = await booted({ name: 'greeting', scope: 'scoped', deps: [REQUEST, 'Clock'], useFactory: async (req: { id: number }, clock: Clock) => `hello ${req.id} at ${clock.now()} (${++made})` });
    const scope = container.createScope().provide(REQUEST, { id: 3 });
    assert.equal(await scope.resolve<string>('greeting'), 'hello 3 at 42 (1)');
    assert.equal(await scope.resolve<string>('greeting'), 'hello 3 at 42 (1)');
    await scope.dispose();
    await container.stopAll();
  });

  it('rejects a dependency no registration and no provide gives with DependencyMissing, and gives undefined to an optional one', async () => {
    const AUDIT = token('audit');
    @Service({ scope: 'scoped' })
    class Audited {
      constructor(@Optional() @Inject(AUDIT) readonly audit?: unknown) {}
    }
    const container = await booted(Audited);
    const scope = container.createScope();
    await assert.rejects(scope.resolve(RequestContext), isError({ kind: 'DependencyMissing', service: 'RequestContext', dependency: 'request' }));
    assert.equal((await scope.resolve(Audited)).audit, undefined);
    await assert.rejects(scope.resolve('nothing'), isError({ kind: 'ServiceUnknown' }));
    await scope.dispose();
    await container.stopAll();
  });

  it('reports a failure to dispose as a ShutdownError and still stops the rest', async () => {
    const calls: string[] = [];
    @Service({ scope: 'scoped' })
    class Ok implements OnStop {
      onStop(): void {
        calls.push('Ok');
      }
    }
    @Service({ scope: 'scoped' })
    class Broken implements OnStop {
      constructor(readonly ok: Ok) {}
      onStop(): void {
        throw new Error('flush failed');
      }
    }
    const container = await booted(Ok, Broken);
    const scope = container.createScope();
    await scope.resolve(Broken);
    const error: unknown = await scope.dispose().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ShutdownError);
    assert.deepEqual(error.errors.map((e) => [e.kind, e.service]), [['ServiceStopFailure', 'Broken']]);
    assert.deepEqual(calls, ['Ok']);
    await container.stopAll();
  });

  it('is a clear error before the boot, during and after shutdown', async () => {
    const container = new Container({ logger: false });
    container.register(Db);
    assert.throws(() => container.createScope(), isError({ kind: 'ServiceNotStarted' }));
    await container.startAll();
    const stopping = container.stopAll();
    assert.throws(() => container.createScope(), isError({ kind: 'ServiceNotStarted' }));
    await stopping;
    assert.throws(() => container.createScope(), isError({ kind: 'ServiceNotStarted' }));
    await container.startAll();
    assert.ok(container.createScope() instanceof Scope);
    await container.stopAll();
  });

  it('is disposed by stopAll before the singletons it uses stop', async () => {
    const calls: string[] = [];
    @Service()
    class Pool implements OnStop {
      onStop(): void {
        calls.push('Pool');
      }
    }
    @Service({ scope: 'scoped' })
    class Tx implements OnStop {
      constructor(readonly pool: Pool) {}
      async onStop(): Promise<void> {
        await new Promise((r) => setTimeout(r, 5));
        calls.push('Tx');
      }
    }
    const container = new Container({ logger: false });
    container.register(Pool, Tx);
    await container.startAll();
    const scope = container.createScope();
    await scope.resolve(Tx);
    await container.stopAll();
    assert.deepEqual(calls, ['Tx', 'Pool']);
    assert.equal(scope.disposed, true);
  });

  it('resolves the container and the scope by type', async () => {
    @Service({ scope: 'scoped' })
    class Uses {
      constructor(
        readonly container: Container,
        readonly scope: Scope,
      ) {}
    }
    const container = await booted(Uses);
    const scope = container.createScope();
    const uses = await scope.resolve(Uses);
    assert.equal(uses.container, container);
    assert.equal(uses.scope, scope);
    await container.stopAll();
  });
});
