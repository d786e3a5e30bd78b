// An in-process Redis for the demo on a machine without one. `redis-parser` (the RESP parser
// ioredis and node-redis use) reads the client's commands off a real socket; the commands are the
// few the demo and the redis provider send (connection handshake, PING, INFO, GET/SET/INCR and
// friends), kept in a Map. ioredis-mock would run the whole command set, but its types peer pins
// ioredis 5, which conflicts with this package's ioredis 6.
import { createServer, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import type { StandIn } from './memcached-stand-in';

const load = createRequire(__filename);

interface ParserOptions {
  returnReply(reply: unknown): void;
  returnError(error: Error): void;
  returnBuffers?: boolean;
}
type ParserClass = new (options: ParserOptions) => { execute(chunk: Buffer): void };

/** Starts the Redis stand-in on 127.0.0.1 and a free port. */
export async function startRedisStandIn(): Promise<StandIn> {
  const Parser = load('redis-parser') as ParserClass;
  const data = new Map<string, string>();
  const sockets = new Set<Socket>();

  const run = (socket: Socket, args: unknown[]): void => {
    const [name = '', ...rest] = args.map(String);
    const command = name.toUpperCase();
    if (command === 'QUIT') return void socket.end(encode('OK'));
    const reply = execute(data, command, rest);
    socket.write(reply instanceof Error ? `-${reply.message}\r\n` : encode(reply));
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const parser = new Parser({
      returnReply: (reply) => run(socket, Array.isArray(reply) ? reply : [reply]),
      returnError: () => socket.destroy(),
    });
    socket.on('data', (chunk: Buffer) => parser.execute(chunk));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One command on the Map; an Error is an error reply. */
function execute(data: Map<string, string>, command: string, args: string[]): unknown {
  const [key = '', value = ''] = args;
  const add = (delta: number): unknown => {
    const now = Number(data.get(key) ?? '0');
    if (!Number.isSafeInteger(now)) return new Error('ERR value is not an integer or out of range');
    data.set(key, String(now + delta));
    return now + delta;
  };
  switch (command) {
    case 'PING':
      return args.length > 0 ? key : 'PONG';
    case 'ECHO':
      return key;
    case 'INFO':
      return '# Server\r\nredis_version:7.0.0-bandmaster-stand-in\r\nredis_mode:standalone\r\n# Persistence\r\nloading:0\r\n';
    case 'SELECT':
    case 'CLIENT':
    case 'FLUSHDB':
    case 'FLUSHALL':
      if (command.startsWith('FLUSH')) data.clear();
      return 'OK';
    case 'GET':
      return data.get(key) ?? null;
    case 'SET': {
      const nx = args.some((a) => a.toUpperCase() === 'NX');
      if (nx && data.has(key)) return null;
      data.set(key, value);
      return 'OK';
    }
    case 'DEL':
      return args.filter((k) => data.delete(k)).length;
    case 'EXISTS':
      return args.filter((k) => data.has(k)).length;
    case 'INCR':
      return add(1);
    case 'DECR':
      return add(-1);
    case 'INCRBY':
      return add(Number(value));
    case 'DBSIZE':
      return data.size;
    case 'COMMAND':
      return [];
    default:
      return new Error(`ERR unknown command '${command.slice(0, 64)}' (the demo's stand-in knows only a few; run a real Redis: npm run services)`);
  }
}

const STATUS = new Set(['OK', 'PONG', 'QUEUED']);

/** A command's result in RESP2. */
function encode(value: unknown): string {
  if (value === null || value === undefined) return '$-1\r\n';
  if (typeof value === 'number') return Number.isInteger(value) ? `:${value}\r\n` : bulk(String(value));
  if (typeof value === 'string') return STATUS.has(value) ? `+${value}\r\n` : bulk(value);
  if (Buffer.isBuffer(value)) return `$${value.length}\r\n${value.toString('binary')}\r\n`;
  if (Array.isArray(value)) return `*${value.length}\r\n${value.map(encode).join('')}`;
  return bulk(String(value));
}

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
