import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, ShutdownError } from '../../lib';

// Issue 16: a scope's `dispose` runs `onStop` / `[Symbol.asyncDispose]` in reverse creation order,
// once, "and a failure there is reported as a ShutdownError, never lost": also when the hook
// rejects asynchronously, when it is `[Symbol.asyncDispose]`, and when stopAll disposes the scope.
describe('regressions', () => {
  it('a failed dispose of a scoped instance is reported as a ShutdownError, never lost', async () => {
    const calls: string[] = [];
    @Service({ scope: 'scoped' })
    class Tx {
      async [Symbol.asyncDispose](): Promise<void> {
        await new Promise((r) => setTimeout(r, 2));
        calls.push('Tx');
        throw new Error('rollback failed');
      }
    }
    @Service({ scope: 'transient' })
    class Audit {
      async onStop(): Promise<void> {
        calls.push('Audit');
        return Promise.reject(new Error('flush failed'));
      }
    }
    @Service({ scope: 'scoped' })
    class Handler {
      constructor(readonly tx: Tx, readonly audit: Audit) {}
      onStop(): void {
        calls.push('Handler');
      }
    }
    const container = new Container({ logger: false });
    container.register(Tx, Audit, Handler);
    await container.startAll();

    // scope.dispose(): every failure is in the error, and the instances after one still stop
    const scope = container.createScope();
    await scope.resolve(Handler);
    const error: unknown = await scope.dispose().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ShutdownError, `got ${String(error)}`);
    assert.deepEqual(error.errors.map((e) => [e.kind, e.service, (e.cause as Error).message]), [
      ['ServiceStopFailure', 'Audit', 'flush failed'],
      ['ServiceStopFailure', 'Tx', 'rollback failed'],
    ]);
    assert.deepEqual(calls, ['Handler', 'Audit', 'Tx']);
    // disposing again runs no hook twice, and still does not lose the failure
    await assert.rejects(scope.dispose(), (e: unknown) => e instanceof ShutdownError && e.errors.length === 2);
    assert.deepEqual(calls, ['Handler', 'Audit', 'Tx'], 'once');

    // a scope left open: stopAll disposes it, and its failure is in stopAll's ShutdownError
    calls.length = 0;
    const open = container.createScope();
    await open.resolve(Tx);
    const stop: unknown = await container.stopAll().then(() => undefined, (e: unknown) => e);
    assert.ok(stop instanceof ShutdownError, `got ${String(stop)}`);
    assert.deepEqual(stop.errors.map((e) => [e.kind, e.service]), [['ServiceStopFailure', 'Tx']]);
    assert.equal(open.disposed, true);
    assert.deepEqual(calls, ['Tx']);
  });
});
