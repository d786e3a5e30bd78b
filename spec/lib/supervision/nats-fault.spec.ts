import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { describe, it } from 'node:test';
import { Container } from '../../../lib';
import { nats, type NatsConnection } from '../../../providers/nats';
import { freePort } from '../../support/provider-spec';
import { nextEvent } from './next-event';

/** A private nats-server on `port`, resolved once it accepts connections; ended by its PID. */
async function privateNats(port: number): Promise<ChildProcess> {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 250; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server on port ${port} did not come up`);
}

describe('supervision against a private nats-server', () => {
  it('marks the service lost when its connection is closed for good, and restarts it with a fresh connection', { timeout: 30_000 }, async () => {
    const port = await freePort();
    let server = await privateNats(port);
    const container = new Container({ logger: false });
    container.register(
      nats({
        name: 'nats-sup',
        config: { servers: [`nats://127.0.0.1:${port}`], maxReconnectAttempts: 1, reconnectTimeWait: 50 },
        retries: 100,
        backoff: { initial: 50, max: 200 },
        restart: { maxRestarts: 3, withinMs: 60_000 },
      }),
    );
    try {
      await container.startAll();
      const first = container.resolve<NatsConnection>('nats-sup');
      const lost = nextEvent(container, 'lost', 'nats-sup');
      const restarted = nextEvent(container, 'restarted', 'nats-sup');
      const exited = once(server, 'exit');
      process.kill(server.pid!, 'SIGKILL');
      await exited;
      await lost;
      assert.equal(first.isClosed(), true);
      server = await privateNats(port);
      await restarted;
      const fresh = container.resolve<NatsConnection>('nats-sup');
      assert.notEqual(fresh, first);
      await fresh.flush();
      assert.equal(container.status()[0]?.restarts, 1);
    } finally {
      await container.stopAll({ timeout: 5_000 }).catch(() => undefined);
      if (server.exitCode === null) {
        const exited = once(server, 'exit');
        process.kill(server.pid!, 'SIGKILL');
        await exited;
      }
    }
  });
});
