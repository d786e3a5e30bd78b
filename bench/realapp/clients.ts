// The four clients as a hand-written program (or a NestJS async provider) opens and closes them:
// the libraries bandmaster's providers wrap, the same health check at start (PING, SELECT 1, a
// flush, a stats round trip) and the same graceful close (QUIT, end, drain, close).
import type { Socket } from 'node:net';
import { SERVERS, type ClientName } from './app';

/** A connected client and how to close it. */
export interface OpenClient {
  readonly client: unknown;
  close(): Promise<void>;
}

interface RedisLike {
  connect(): Promise<void>;
  ping(): Promise<string>;
  quit(): Promise<string>;
  once(event: 'end', listener: () => void): void;
}
interface PoolLike {
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}
interface NatsLike {
  flush(): Promise<void>;
  drain(): Promise<void>;
  closed(): Promise<void | Error>;
}
interface MemjsLike {
  stats(callback: (err: Error | null) => void): void;
  close(): void;
  servers: { _socket?: Socket }[];
}

/* eslint-disable @typescript-eslint/no-require-imports -- the peers bandmaster's providers load the same way */
async function openRedis(): Promise<OpenClient> {
  const { Redis } = require('ioredis') as { Redis: new (options: object) => RedisLike };
  const client = new Redis({ ...SERVERS.redis, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  await client.ping();
  return {
    client,
    close: async () => {
      // QUIT, then the connection's end, as the provider waits for it
      const ended = new Promise<void>((resolve) => client.once('end', resolve));
      await client.quit();
      await ended;
    },
  };
}

async function openPg(): Promise<OpenClient> {
  const { Pool } = require('pg') as { Pool: new (options: object) => PoolLike };
  const pool = new Pool({ ...SERVERS.pg, user: 'postgres', database: 'postgres', application_name: 'pg' });
  await pool.query('SELECT 1');
  return { client: pool, close: () => pool.end() };
}

async function openNats(): Promise<OpenClient> {
  const { connect } = require('nats') as { connect(options: object): Promise<NatsLike> };
  const nc = await connect({ servers: `${SERVERS.nats.host}:${SERVERS.nats.port}`, name: 'nats' });
  await nc.flush();
  return {
    client: nc,
    close: async () => {
      await nc.drain();
      await nc.closed();
    },
  };
}

async function openMemcached(): Promise<OpenClient> {
  const memjs = require('memjs') as { Client: { create(servers: string, options: object): MemjsLike } };
  const client = memjs.Client.create(`${SERVERS.memcached.host}:${SERVERS.memcached.port}`, { logger: { log: () => undefined } });
  await new Promise<void>((resolve, reject) => client.stats((err) => (err ? reject(err) : resolve())));
  return {
    client,
    close: async () => {
      const sockets = client.servers.map((s) => s._socket).filter((s): s is Socket => s !== undefined && !s.destroyed);
      const closed = Promise.all(sockets.map((s) => new Promise((resolve) => s.once('close', resolve))));
      client.close();
      await closed;
    },
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Opens one client: connect, then its health check. */
export function openClient(name: ClientName): Promise<OpenClient> {
  switch (name) {
    case 'redis':
      return openRedis();
    case 'pg':
      return openPg();
    case 'nats':
      return openNats();
    case 'memcached':
      return openMemcached();
  }
}
