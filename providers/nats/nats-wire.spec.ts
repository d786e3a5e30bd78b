import 'reflect-metadata';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { inspect } from 'node:util';
import { BootError, Container } from '../../lib/index';
import { nats, type NatsConnection } from './index';

/** One client connection to the fake server. */
interface Peer {
  readonly closed: Promise<unknown>;
  /** Sends the server's INFO, which the client waits for before it says anything. */
  readonly sendInfo: () => void;
  readonly socket: Socket;
}

/** The fake NATS server: what a test needs from it. */
interface FakeNats {
  readonly port: number;
  /** The first client connection. */
  readonly accepted: Promise<Peer>;
  /** CONNECT payloads received, parsed. */
  readonly connects: Record<string, unknown>[];
  /** Stops accepting: clients that reconnect are refused. */
  readonly stopListening: () => void;
}

/**
 * The few lines of the NATS protocol a client needs to connect, flush and drain: INFO (at once or
 * when the test says), PONG for each PING, CONNECT recorded. Cleaned up when the test ends.
 */
async function fakeNats(t: TestContext, options: { holdInfo: boolean }): Promise<FakeNats> {
  const server = createServer();
  const sockets = new Set<Socket>();
  const connects: Record<string, unknown>[] = [];
  const accepted = new Promise<Peer>((resolve) =>
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      const peer = { socket, closed: once(socket, 'close'), sendInfo: () => socket.write(`INFO ${JSON.stringify(info(port))}\r\n`) };
      readLines(socket, (line) => {
        if (line.startsWith('CONNECT ')) connects.push(JSON.parse(line.slice('CONNECT '.length)) as Record<string, unknown>);
        else if (line === 'PING') socket.write('PONG\r\n');
      });
      if (!options.holdInfo) peer.sendInfo();
      resolve(peer);
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port, accepted, connects, stopListening: () => server.close() };
}

function info(port: number): Record<string, unknown> {
  return { server_id: 'FAKE', server_name: 'fake', version: '2.10.0', proto: 1, host: '127.0.0.1', port, headers: true, max_payload: 1_048_576 };
}

function readLines(socket: Socket, onLine: (line: string) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
      onLine(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
    }
  });
}

async function statusOf(nc: NatsConnection, type: string): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) return;
}

describe('nats provider at the wire', () => {
  it('fails the boot at once on abort, and leaves no half-open connect behind', { timeout: 15_000 }, async (t) => {
    const fake = await fakeNats(t, { holdInfo: true });
    const controller = new AbortController();
    const container = new Container({ logger: false });
    container.register(nats({ name: 'nts-abort', config: { servers: [`127.0.0.1:${fake.port}`], timeout: 300 } }));
    const boot = container.startAll({ signal: controller.signal });
    const peer = await fake.accepted;
    controller.abort();
    const error = await boot.then(
      () => assert.fail('the boot succeeded'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof BootError);
    assert.equal(error.errors[0]?.kind, 'ServiceStartFailure');
    await peer.closed;
    assert.equal(fake.connects.length, 0);
    await container.stopAll();
  });

  it('cuts a connect in flight as soon as its start is aborted, whatever the connect timeout', { timeout: 15_000 }, async (t) => {
    const fake = await fakeNats(t, { holdInfo: true });
    const controller = new AbortController();
    const container = new Container({ logger: false });
    // a long connect timeout: only the abort can end this connect early
    container.register(nats({ name: 'nts-late', config: { servers: [`127.0.0.1:${fake.port}`], timeout: 60_000 } }));
    const boot = container.startAll({ signal: controller.signal });
    const peer = await fake.accepted;
    controller.abort();
    await assert.rejects(boot, BootError);
    // the socket is gone before the server even greets: the handshake never happens
    await peer.closed;
    assert.equal(fake.connects.length, 0);
    assert.equal(container.status()[0]?.state, 'failed');
    await container.stopAll();
  });

  it('sends user and password, or a token from the URL, without keeping them readable on the connection', { timeout: 15_000 }, async (t) => {
    const fake = await fakeNats(t, { holdInfo: false });
    const container = new Container({ logger: false });
    container.register(
      nats({ name: 'nts-user', config: { servers: [`127.0.0.1:${fake.port}`], user: 'alice', password: 's3cret' } }),
      nats({ name: 'nts-token', config: { servers: [`nats://t0ken@127.0.0.1:${fake.port}`] } }),
    );
    try {
      await container.startAll();
      const byName = new Map(fake.connects.map((c) => [c['name'], c]));
      assert.equal(byName.get('nts-user')?.['user'], 'alice');
      assert.equal(byName.get('nts-user')?.['pass'], 's3cret');
      assert.equal(byName.get('nts-token')?.['auth_token'], 't0ken');
      const printed = inspect(container.resolve<NatsConnection>('nts-user'), { depth: 6 });
      assert.ok(!printed.includes('s3cret'));
    } finally {
      await container.stopAll();
    }
  });

  it('stops at once while the server is gone and the client is reconnecting', { timeout: 15_000 }, async (t) => {
    const fake = await fakeNats(t, { holdInfo: false });
    const container = new Container({ logger: false });
    container.register(nats({ name: 'nts-gone', config: { servers: [`127.0.0.1:${fake.port}`], reconnectTimeWait: 50 } }));
    await container.startAll();
    const nc = container.resolve<NatsConnection>('nts-gone');
    const disconnected = statusOf(nc, 'disconnect');
    const peer = await fake.accepted;
    fake.stopListening();
    peer.socket.destroy();
    await disconnected;
    // no stop timeout: a drain waiting for a reconnect would hang here
    await container.stopAll();
    assert.equal(nc.isClosed(), true);
  });
});
