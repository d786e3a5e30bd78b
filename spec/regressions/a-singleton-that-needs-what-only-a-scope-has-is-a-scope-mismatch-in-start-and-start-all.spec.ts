import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootError, Container, Inject, Scope, Service, type OnStart } from '../../lib';

describe('regressions', () => {
  it('start(token) of a singleton that depends on a scoped service rejects with ScopeMismatch and constructs nothing', async () => {
    let built = 0;
    @Service({ scope: 'scoped' })
    class Session {
      constructor() {
        built++;
      }
    }
    @Service()
    class Cache implements OnStart {
      constructor(readonly session: Session) {
        built++;
      }
      onStart(): void {}
    }
    const container = new Container({ logger: false }).register(Session, Cache);
    const error: unknown = await container.start(Cache).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError);
    assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.dependency]), [['ScopeMismatch', 'Cache', 'Session']]);
    assert.equal(built, 0);
  });

  it('a singleton that injects the Scope itself is a ScopeMismatch naming Scope', async () => {
    @Service()
    class Wrong {
      constructor(@Inject(Scope) readonly scope: Scope) {}
    }
    const error: unknown = await new Container({ logger: false }).register(Wrong).startAll().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof BootError);
    assert.deepEqual(error.errors.map((e) => [e.kind, e.service, e.dependency]), [['ScopeMismatch', 'Wrong', 'Scope']]);
  });
});
