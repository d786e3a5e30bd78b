import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, Service, type OnStart } from '../../lib';
import { isError } from '../support/errors';

// Issue 16: "onStart of a scoped/transient instance is awaited when it is built (with its
// startTimeout)": a hook that never settles fails the resolve (or the singleton that injects it)
// once the time is up, instead of hanging it.
describe('regressions', () => {
  it('the onStart of a scoped or transient instance is bounded by its startTimeout', async () => {
    let aborted = 0;
    const never = (signal?: AbortSignal): Promise<void> =>
      new Promise<void>(() => signal?.addEventListener('abort', () => aborted++));
    @Service({ scope: 'transient', startTimeout: 30 })
    class Stuck implements OnStart {
      onStart(signal?: AbortSignal): Promise<void> {
        return never(signal);
      }
    }
    @Service({ scope: 'scoped', startTimeout: 30 })
    class StuckScoped implements OnStart {
      onStart(signal?: AbortSignal): Promise<void> {
        return never(signal);
      }
    }
    @Service({ scope: 'scoped' })
    class UsesStuck {
      constructor(readonly stuck: Stuck) {}
    }
    const container = new Container({ logger: false });
    container.register(Stuck, StuckScoped, UsesStuck);
    await container.startAll();
    const scope = container.createScope();
    const began = Date.now();
    await assert.rejects(scope.resolve(Stuck), isError({ kind: 'ServiceStartFailure', service: 'Stuck' }));
    await assert.rejects(scope.resolve(StuckScoped), isError({ kind: 'ServiceStartFailure', service: 'StuckScoped' }));
    // built for a scoped service, the transient's timeout fails that resolve too, naming the transient
    await assert.rejects(scope.resolve(UsesStuck), isError({ kind: 'ServiceStartFailure', service: 'Stuck' }));
    await assert.rejects(scope.resolve(Stuck), /start timed out after 30ms/);
    // generous: three timeouts of 30ms on a shared machine
    assert.ok(Date.now() - began < 5_000, `took ${Date.now() - began}ms`);
    assert.ok(aborted >= 2, `the hooks' signals were aborted (${aborted})`);
    await scope.dispose();
    await container.stopAll();

    // a singleton injecting a transient with a stuck onStart fails its start instead of hanging the boot
    @Service()
    class Host {
      constructor(readonly stuck: Stuck) {}
    }
    const other = new Container({ logger: false });
    other.register(Stuck, Host);
    const error: unknown = await other.startAll().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError, `got ${String(error)}`);
    assert.deepEqual(error.report.services.find((s) => s.name === 'Host')?.state, 'failed');
    await other.stopAll();
  });
});
