import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, ShutdownError } from '../../lib';
import { settled, unhandledDuring } from '../support/settles';

// Issue 14, defect 2: building the BandmasterError of a failure rendered the thrown value; a value
// that cannot be rendered threw inside the scheduler's callback, the service stayed `starting`,
// startAll/stopAll never settled and the rejection escaped as unhandled.
function bombs(): [string, () => unknown][] {
  return [
    ['an Error whose message getter throws', () => {
      const e = new Error('x');
      Object.defineProperty(e, 'message', { get: () => { throw new Error('message bomb'); } });
      Object.defineProperty(e, 'name', { get: () => { throw new Error('name bomb'); } });
      return e;
    }],
    ['a null-prototype object', () => Object.create(null) as object],
    ['a Symbol.toPrimitive bomb', () => ({ [Symbol.toPrimitive]: () => { throw new Error('primitive bomb'); }, toJSON: () => { throw new Error('json bomb'); } })],
    ['a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }],
    ['an AggregateError holding a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return new AggregateError([proxy]);
    }],
  ];
}

describe('regression', () => {
  for (const [what, bomb] of bombs()) {
    for (const where of ['factory', 'sync onStart', 'async onStart'] as const) {
      it(`${what} thrown from a ${where} fails the boot instead of hanging it`, async () => {
        const unhandled = await unhandledDuring(async () => {
          const container = new Container({ logger: false });
          container.register(
            {
              name: 'bomb',
              useFactory: () => {
                if (where === 'factory') throw bomb();
                return {};
              },
              onStart: where === 'sync onStart' ? () => { throw bomb(); } : where === 'async onStart' ? async () => { throw bomb(); } : undefined,
            },
            { name: 'app', useFactory: () => ({}), deps: ['bomb'] },
          );
          const boot = container.startAll();
          assert.equal(await settled(boot, 2_000), 'rejected');
          const error = await boot.catch((e: unknown) => e);
          assert.ok(error instanceof BootError);
          assert.deepEqual(container.status().map((s) => [s.name, s.state]), [['bomb', 'failed'], ['app', 'failed']]);
          assert.equal(await settled(container.stopAll(), 2_000), 'resolved');
        });
        assert.deepEqual(unhandled, []);
      });
    }

    it(`${what} thrown from onStop fails the shutdown instead of hanging it`, async () => {
      const unhandled = await unhandledDuring(async () => {
        const container = new Container({ logger: false });
        container.register(
          { name: 'db', useFactory: () => ({}), onStop: () => { throw bomb(); } },
          { name: 'app', useFactory: () => ({}), deps: ['db'], onStop: async () => { throw bomb(); } },
        );
        await container.startAll();
        const stop = container.stopAll();
        assert.equal(await settled(stop, 2_000), 'rejected');
        assert.ok((await stop.catch((e: unknown) => e)) instanceof ShutdownError);
      });
      assert.deepEqual(unhandled, []);
    });

    it(`${what} thrown from a healthCheck makes that service unhealthy, not the report reject`, async () => {
      const container = new Container({ logger: false });
      container.register({ name: 'db', useFactory: () => ({}), healthCheck: () => { throw bomb(); } });
      await container.startAll();
      const report = await container.health({ timeout: 1_000 });
      assert.equal(report.healthy, false);
      assert.equal(typeof report.services[0]?.error, 'string');
      await container.stopAll();
    });
  }
});
