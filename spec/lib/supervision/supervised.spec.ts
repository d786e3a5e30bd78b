import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Container, Service, defineProvider } from '../../../lib';
import { FakeClock } from '../../support/fake-clock';
import { nextEvent } from './next-event';

interface Client {
  readonly n: number;
  healthy: boolean;
  lost?: (error: unknown) => void;
}

/** A provider-like definition whose clients can fail their health check, or report their own loss. */
function flaky(name: string, clients: Client[], options: Record<string, unknown> = {}) {
  const provider = defineProvider<object, Client>({
    provider: 'flaky',
    configClass: class {},
    create: () => ({ n: clients.length + 1, healthy: true }),
    start: async (client, { lost }) => {
      client.lost = lost;
      clients.push(client);
    },
    healthCheck: async (client) => {
      if (!client.healthy) throw new Error(`${name} #${client.n} is unhealthy`);
    },
    stop: async () => undefined,
  });
  return provider({ name, ...options });
}

const dependent = (name: string, dep: string) => ({ name, deps: [dep], useFactory: (client: Client) => ({ client }) });

describe('supervision', () => {
  it('restarts a service whose provider reports its client lost, and its dependents, with fresh instances', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false });
    container.register(flaky('rd', clients, { restart: { maxRestarts: 3, withinMs: 60_000 } }), dependent('repo', 'rd'));
    await container.startAll();
    const restarted = nextEvent(container, 'restarted', 'rd');
    clients[0]!.lost!(new Error('connection closed for good'));
    await restarted;
    assert.equal(container.resolve<Client>('rd').n, 2);
    assert.equal(container.resolve<{ client: Client }>('repo').client.n, 2);
    assert.equal(container.status().find((s) => s.name === 'rd')?.restarts, 1);
    await container.stopAll();
  });

  it('only reports the loss of a service without restart: a lost event, and lost in status()', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false });
    container.register(flaky('rd', clients));
    await container.startAll();
    const seen: string[] = [];
    container.events.on((e) => seen.push(e.type));
    clients[0]!.lost!(new Error('gone'));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['lost']);
    assert.deepEqual(container.status().map((s) => [s.state, s.lost]), [['started', true]]);
    await container.stopAll();
  });

  it('ignores a loss reported by a client that is no longer the started one', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false });
    container.register(flaky('rd', clients, { restart: { maxRestarts: 3, withinMs: 60_000 } }));
    await container.startAll();
    await container.restart('rd');
    const seen: string[] = [];
    container.events.on((e) => seen.push(e.type));
    clients[0]!.lost!(new Error('the old client ended'));
    await container.stopAll();
    assert.deepEqual(seen, ['stopping', 'stopped']);
  });

  it('gives up past maxRestarts within withinMs: failed, restart-failed, dependents DependencyUnavailable', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false });
    container.register(flaky('rd', clients, { restart: { maxRestarts: 1, withinMs: 60_000 } }), dependent('repo', 'rd'));
    await container.startAll();
    const first = nextEvent(container, 'restarted', 'rd');
    clients[0]!.lost!(new Error('lost once'));
    await first;
    const gaveUp = nextEvent(container, 'restart-failed', 'rd');
    clients[1]!.lost!(new Error('lost twice'));
    const event = await gaveUp;
    assert.equal(event.type === 'restart-failed' && event.error.kind, 'ServiceStartFailure');
    const [rd, repo] = container.status();
    assert.equal(rd?.state, 'failed');
    assert.equal(repo?.state, 'failed');
    assert.equal(repo?.error?.kind, 'DependencyUnavailable');
    assert.equal((await container.health()).healthy, false);
    // the next startAll tries it again
    await container.startAll();
    assert.equal(container.resolve<Client>('rd').n, 3);
    await container.stopAll();
  });

  it('marks a service lost after healthFailures consecutive failed polls and restarts it', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false, healthInterval: 10, healthFailures: 2 });
    container.register(flaky('rd', clients, { restart: { maxRestarts: 3, withinMs: 60_000 } }));
    await container.startAll();
    const seen: string[] = [];
    container.events.on((e) => seen.push(e.type));
    const restarted = nextEvent(container, 'restarted', 'rd');
    clients[0]!.healthy = false;
    await restarted;
    assert.deepEqual(seen.slice(0, 2), ['lost', 'restarting']);
    assert.equal(container.resolve<Client>('rd').n, 2);
    await container.stopAll();
  });

  it('a service healthFailures overrides the container one', async () => {
    const clients: Client[] = [];
    const container = new Container({ logger: false, healthInterval: 10, healthFailures: 1000 });
    container.register(flaky('rd', clients, { healthFailures: 1 }));
    await container.startAll();
    const lost = nextEvent(container, 'lost', 'rd');
    clients[0]!.healthy = false;
    await lost;
    await container.stopAll();
  });

  it('a failed poll followed by a passing one starts the count again', async () => {
    let polls = 0;
    const container = new Container({ logger: false, healthInterval: 5, healthFailures: 2 });
    container.register({ name: 'svc', useValue: {}, healthCheck: () => (polls++ % 2 === 0 ? Promise.reject(new Error('every other')) : undefined) });
    await container.startAll();
    const seen: string[] = [];
    container.events.on((e) => seen.push(e.type));
    while (polls < 10) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seen, []);
    await container.stopAll();
  });

  it('bounds each polled check by healthTimeout', async () => {
    const container = new Container({ logger: false, healthInterval: 5, healthFailures: 1, healthTimeout: 20 });
    container.register({ name: 'hangs', useValue: {}, healthCheck: () => new Promise(() => undefined) });
    await container.startAll();
    const event = await nextEvent(container, 'lost', 'hangs');
    assert.match(String(event.type === 'lost' && (event.error as Error).message), /timed out|20/);
    await container.stopAll();
  });

  it('waits restart.backoff before a supervised restart, doubling per restart in the window (fake clock)', async () => {
    const clients: Client[] = [];
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    container.register(flaky('rd', clients, { restart: { maxRestarts: 5, withinMs: 60_000, backoff: 100 } }));
    await container.startAll();
    for (const [i, delay] of [100, 200].entries()) {
      const restarted = nextEvent(container, 'restarted', 'rd');
      const sleep = clock.nextSleep();
      clients[i]!.lost!(new Error(`lost #${i + 1}`));
      assert.equal((await sleep).ms, delay);
      assert.equal(container.status()[0]?.lost, true);
      clock.advance(delay);
      await restarted;
    }
    assert.equal(container.resolve<Client>('rd').n, 3);
    await container.stopAll();
  });

  it('a loss older than withinMs no longer counts toward maxRestarts (fake clock)', async () => {
    const clients: Client[] = [];
    const clock = new FakeClock();
    const container = new Container({ logger: false, clock });
    container.register(flaky('rd', clients, { restart: { maxRestarts: 1, withinMs: 1_000 } }));
    await container.startAll();
    for (let i = 0; i < 3; i++) {
      const restarted = nextEvent(container, 'restarted', 'rd');
      clients[i]!.lost!(new Error(`lost #${i + 1}`));
      await restarted;
      clock.advance(1_001);
    }
    assert.equal(container.status()[0]?.restarts, 3);
    await container.stopAll();
  });

  it('takes restart on @Service classes', async () => {
    @Service({ restart: { maxRestarts: 2, withinMs: 1_000, backoff: 5 } })
    class Supervised {}
    const container = new Container({ logger: false });
    container.register(Supervised);
    await container.startAll();
    await container.restart(Supervised);
    assert.equal(container.status()[0]?.restarts, 1);
  });

  it('rejects a bad restart option naming the field, and bad container options naming the option', () => {
    const container = new Container({ logger: false });
    assert.throws(() => container.register({ name: 'a', useValue: 1, restart: { maxRestarts: -1, withinMs: 10 } }), { kind: 'InvalidDefinition', message: /restart\.maxRestarts/ });
    assert.throws(() => container.register({ name: 'b', useValue: 1, restart: { maxRestarts: 1, withinMs: 0 } }), { kind: 'InvalidDefinition', message: /restart\.withinMs/ });
    assert.throws(() => container.register({ name: 'c', useValue: 1, restart: { maxRestarts: 1, withinMs: 5, backoff: -1 } }), { kind: 'InvalidDefinition', message: /restart\.backoff/ });
    assert.throws(() => container.register({ name: 'd', useValue: 1, healthFailures: 0 }), { kind: 'InvalidDefinition', message: /healthFailures/ });
    assert.throws(() => new Container({ healthInterval: -5 }), { kind: 'InvalidArgument', message: /healthInterval/ });
    assert.throws(() => new Container({ healthFailures: 1.5 }), { kind: 'InvalidArgument', message: /healthFailures/ });
    assert.throws(() => new Container({ healthTimeout: 0 }), { kind: 'InvalidArgument', message: /healthTimeout/ });
  });
});
