// Testing application services with mock providers: register the real @Service classes, swap
// the clients they depend on with `override`, boot only what the test needs with `start`, and
// read the started instances with `resolve`. Run with `npm test` (node:test on tsc output).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { BootError, Container, Inject, Service, type OnStart } from 'bandmaster';
import { redis } from 'bandmaster/providers/redis';

/** Application code: sessions kept in Redis, behind the 'rd-1' provider. */
@Service()
class Sessions implements OnStart {
  constructor(@Inject('rd-1') private readonly redis: Redis) {}

  async onStart(): Promise<void> {
    await this.redis.ping();
  }

  async open(user: string): Promise<string> {
    const id = `s-${user}`;
    await this.redis.set(`session:${id}`, user, 'EX', 3600);
    return id;
  }
}

/** A fake with just the Redis calls the code under test makes. */
function fakeRedis(): Pick<Redis, 'ping' | 'set'> & { readonly stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return {
    stored,
    ping: async () => 'PONG',
    set: (async (key: string, value: string) => {
      stored.set(key, value);
      return 'OK';
    }) as Redis['set'],
  };
}

function appContainer(): Container {
  // what production registers: the real provider (never connected in these tests)
  return new Container({ logger: false }).register(redis({ name: 'rd-1', env: 'RD_EXAMPLE' }), Sessions);
}

describe('Sessions, tested with a mock Redis', () => {
  it('opens a session through the injected client', async () => {
    const container = appContainer();
    const fake = fakeRedis();
    container.override('rd-1', { useValue: fake });
    const sessions = await container.start(Sessions);
    assert.equal(sessions, container.resolve(Sessions));
    assert.equal(await sessions.open('ada'), 's-ada');
    assert.equal(fake.stored.get('session:s-ada'), 'ada');
    await container.stopAll();
  });

  it('fails to start, naming the dependency, when the mock client fails', async () => {
    const container = appContainer();
    container.override('rd-1', { useFactory: () => Promise.reject(new Error('redis down')) });
    await assert.rejects(container.startAll(), (err: unknown) => {
      assert.ok(err instanceof BootError);
      const sessions = err.errors.find((e) => e.service === 'Sessions');
      assert.equal(sessions?.kind, 'DependencyUnavailable');
      assert.equal(sessions?.dependency, 'rd-1');
      return true;
    });
    await container.stopAll();
  });
});
