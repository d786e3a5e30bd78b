import 'reflect-metadata';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Container, type AnyDefinition, type BandmasterError } from '../lib';
import { cassandra } from './cassandra';
import { elasticsearch } from './elasticsearch';
import { kafka } from './kafka';
import { memcached } from './memcached';
import { nats } from './nats';
import { redis } from './redis';
import { sql } from './sql';

// A server that accepts connections and never answers: each provider's default connect deadline
// (a few seconds) must end the attempt, naming host:port, without a startTimeout.

let silent: Server;
let port = 0;
const sockets = new Set<Socket>();

before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  port = (silent.address() as { port: number }).port;
});

after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

/** Default deadline of each provider, in ms, and its definition against the silent server. */
const providers: Array<{ name: string; deadline: number; make: () => AnyDefinition }> = [
  { name: 'redis', deadline: 5_000, make: () => redis({ name: 'rd-silent', config: { uri: `redis://127.0.0.1:${port}` } }) },
  { name: 'sql', deadline: 5_000, make: () => sql({ name: 'pg-silent', config: { url: `postgres://app@127.0.0.1:${port}/app` } }) },
  { name: 'nats', deadline: 5_000, make: () => nats({ name: 'nt-silent', config: { servers: [`nats://127.0.0.1:${port}`] } }) },
  { name: 'memcached', deadline: 1_500, make: () => memcached({ name: 'mc-silent', config: { servers: [`127.0.0.1:${port}`] } }) },
  { name: 'kafka', deadline: 5_000, make: () => kafka({ name: 'kf-silent', config: { brokers: [`127.0.0.1:${port}`], logLevel: 'nothing' } as never }) },
  { name: 'elasticsearch', deadline: 5_000, make: () => elasticsearch({ name: 'es-silent', config: { nodes: [`http://127.0.0.1:${port}`] } }) },
  { name: 'cassandra', deadline: 5_000, make: () => cassandra({ name: 'cq-silent', config: { contactPoints: [`127.0.0.1:${port}`] } }) },
];

describe('a server that accepts and never answers', { concurrency: true }, () => {
  for (const { name, deadline, make } of providers) {
    it(`${name}: the default connect deadline ends the attempt within a few seconds, naming host:port`, { timeout: 30_000 }, async () => {
      const container = new Container({ logger: false });
      container.register({ ...make(), retries: 0 });
      const began = performance.now();
      const error = await container.startAll().then(
        () => assert.fail(`${name} started against a silent server`),
        (err: unknown) => err as BandmasterError,
      );
      const took = performance.now() - began;
      assert.ok(took < deadline + 3_000, `${name} took ${Math.round(took)} ms (deadline ${deadline} ms)`);
      const text = `${error.message}\n${String((error as { errors?: unknown[] }).errors?.map((e) => `${String(e)} ${String((e as Error).cause)}`))}`;
      assert.ok(text.includes(`127.0.0.1:${port}`), `${name}: the message names host:port: ${text}`);
      await container.stopAll();
    });
  }
});
