// In-process stand-ins for memcached and Redis, so the quickstart shows its real outcome on a
// machine without either server. They listen on 127.0.0.1 on a free port and speak just enough of
// the wire protocols for the real clients (memjs: memcached's binary protocol; ioredis: RESP2) to
// connect, health-check, SET/GET/INCR and quit. Not a cache: a demo aid only.
//
// Why not a package: memcached-njs 0.3.16 (the one memcached written in Node) speaks only the
// ASCII protocol, which memjs does not, and its published tarball has no `dist/` (its `main`),
// so it cannot be required; the in-process Redis servers on npm either download or build a
// redis-server binary (redis-memory-server) or replace the client instead of the socket
// (ioredis-mock), which would not exercise the real provider.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A running stand-in: where it listens and how to close it. */
export interface StandIn {
  readonly port: number;
  close(): Promise<void>;
}

/** Whether something accepts TCP connections at host:port within `timeoutMs`. */
export function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function listen(onSocket: (socket: Socket) => void): Promise<StandIn> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onSocket(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const close = (): Promise<void> =>
        new Promise((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        });
      resolve({ port, close });
    });
  });
}

// memcached binary protocol: a 24-byte header, then extras, key and value
const OP = { get: 0x00, set: 0x01, delete: 0x04, quit: 0x07, noop: 0x0a, version: 0x0b, stat: 0x10 } as const;
const STATUS = { ok: 0x0000, notFound: 0x0001, unknown: 0x0081 } as const;

function mcResponse(request: Buffer, status: number, parts: { extras?: Buffer; key?: Buffer; value?: Buffer } = {}): Buffer {
  const extras = parts.extras ?? Buffer.alloc(0);
  const key = parts.key ?? Buffer.alloc(0);
  const value = parts.value ?? Buffer.alloc(0);
  const header = Buffer.alloc(24);
  header[0] = 0x81;
  header[1] = request[1] ?? 0;
  header.writeUInt16BE(key.length, 2);
  header[4] = extras.length;
  header.writeUInt16BE(status, 6);
  header.writeUInt32BE(extras.length + key.length + value.length, 8);
  request.copy(header, 12, 12, 16); // opaque
  return Buffer.concat([header, extras, key, value]);
}

/** Starts a memcached stand-in (binary protocol: GET, SET, DELETE, STAT, VERSION, NOOP, QUIT). */
export function startMemcachedStandIn(): Promise<StandIn> {
  const items = new Map<string, { flags: Buffer; value: Buffer }>();
  return listen((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 24 && pending.length >= 24 + pending.readUInt32BE(8)) {
        const body = pending.readUInt32BE(8);
        const request = pending.subarray(0, 24 + body);
        pending = pending.subarray(24 + body);
        if (request[0] !== 0x80) return void socket.destroy();
        const extrasLength = request[4] ?? 0;
        const keyLength = request.readUInt16BE(2);
        const extras = request.subarray(24, 24 + extrasLength);
        const key = request.subarray(24 + extrasLength, 24 + extrasLength + keyLength);
        const value = request.subarray(24 + extrasLength + keyLength);
        const item = items.get(key.toString('binary'));
        switch (request[1]) {
          case OP.get:
            socket.write(item ? mcResponse(request, STATUS.ok, { extras: item.flags, value: item.value }) : mcResponse(request, STATUS.notFound, { value: Buffer.from('Not found') }));
            break;
          case OP.set:
            items.set(key.toString('binary'), { flags: Buffer.from(extras.subarray(0, 4)), value: Buffer.from(value) });
            socket.write(mcResponse(request, STATUS.ok));
            break;
          case OP.delete:
            socket.write(mcResponse(request, items.delete(key.toString('binary')) ? STATUS.ok : STATUS.notFound));
            break;
          case OP.stat:
            socket.write(mcResponse(request, STATUS.ok, { key: Buffer.from('pid'), value: Buffer.from(String(process.pid)) }));
            socket.write(mcResponse(request, STATUS.ok, { key: Buffer.from('curr_items'), value: Buffer.from(String(items.size)) }));
            socket.write(mcResponse(request, STATUS.ok));
            break;
          case OP.version:
            socket.write(mcResponse(request, STATUS.ok, { value: Buffer.from('1.6.0-bandmaster-stand-in') }));
            break;
          case OP.noop:
            socket.write(mcResponse(request, STATUS.ok));
            break;
          case OP.quit:
            socket.end(mcResponse(request, STATUS.ok));
            return;
          default:
            socket.write(mcResponse(request, STATUS.unknown, { value: Buffer.from('Unknown command') }));
        }
      }
    });
  });
}

/** Splits complete RESP2 command arrays (`*N` of `$len` bulk strings) off the front of `input`. */
function parseCommands(input: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const line = (from: number): [string, number] | undefined => {
      const end = input.indexOf('\r\n', from);
      return end < 0 ? undefined : [input.toString('utf8', from, end), end + 2];
    };
    const head = line(at);
    if (!head?.[0].startsWith('*')) return { commands, rest: input.subarray(at) };
    const args: string[] = [];
    let next = head[1];
    for (let i = 0; i < Number(head[0].slice(1)); i++) {
      const size = line(next);
      if (!size || next + size[0].length + 2 + Number(size[0].slice(1)) + 2 > input.length) return { commands, rest: input.subarray(at) };
      const length = Number(size[0].slice(1));
      args.push(input.toString('utf8', size[1], size[1] + length));
      next = size[1] + length + 2;
    }
    commands.push(args);
    at = next;
  }
}

const bulk = (value: string | undefined): string => (value === undefined ? '$-1\r\n' : `$${Buffer.byteLength(value)}\r\n${value}\r\n`);

/** Starts a Redis stand-in (RESP2: PING, INFO, SELECT, CLIENT, GET, SET, DEL, INCR, QUIT). */
export function startRedisStandIn(): Promise<StandIn> {
  const values = new Map<string, string>();
  return listen((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { commands, rest } = parseCommands(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const [name = '', ...args] of commands) {
        const key = args[0] ?? '';
        switch (name.toUpperCase()) {
          case 'PING':
            socket.write('+PONG\r\n');
            break;
          case 'INFO':
            socket.write(bulk('# Server\r\nredis_version:7.0.0-bandmaster-stand-in\r\nloading:0\r\n'));
            break;
          case 'SELECT':
          case 'CLIENT':
            socket.write('+OK\r\n');
            break;
          case 'GET':
            socket.write(bulk(values.get(key)));
            break;
          case 'SET':
            values.set(key, args[1] ?? '');
            socket.write('+OK\r\n');
            break;
          case 'DEL':
            socket.write(`:${args.filter((k) => values.delete(k)).length}\r\n`);
            break;
          case 'INCR': {
            const next = Number(values.get(key) ?? '0') + 1;
            if (!Number.isInteger(next)) socket.write('-ERR value is not an integer or out of range\r\n');
            else socket.write(`:${String(values.set(key, String(next)) && next)}\r\n`);
            break;
          }
          case 'QUIT':
            socket.end('+OK\r\n');
            return;
          default:
            socket.write(`-ERR unknown command '${name}' (bandmaster's demo stand-in)\r\n`);
        }
      }
    });
  });
}
