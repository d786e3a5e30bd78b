// An in-process memcached for the demo on a machine without one: memjs speaks memcached's binary
// protocol, and no maintained npm package serves it (memcached-njs speaks the text protocol only,
// and its published package lacks its entry point), so these few commands are written here:
// GET/GETK/GETQ, SET/ADD/REPLACE, DELETE, INCR/DECR, FLUSH, NOOP, VERSION, STAT and QUIT.
// It keeps values in a Map, honours expiry times and CAS, and answers everything else with
// "unknown command", as memcached does.
import { createServer, type Server, type Socket } from 'node:net';

const HEADER = 24;
const REQUEST = 0x80;
const RESPONSE = 0x81;
const enum Status {
  Ok = 0x0000,
  NotFound = 0x0001,
  Exists = 0x0002,
  NotStored = 0x0005,
  NonNumeric = 0x0006,
  UnknownCommand = 0x0081,
}

interface Item {
  readonly value: Buffer;
  readonly flags: number;
  readonly cas: bigint;
  readonly expiresAt: number;
}

interface Request {
  readonly opcode: number;
  readonly opaque: number;
  readonly cas: bigint;
  readonly extras: Buffer;
  readonly key: string;
  readonly value: Buffer;
}

/** A running stand-in: where it listens, and how to close it. */
export interface StandIn {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the memcached stand-in on 127.0.0.1 and a free port. */
export async function startMemcachedStandIn(): Promise<StandIn> {
  const items = new Map<string, Item>();
  let nextCas = 1n;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (pending.length < HEADER) return;
        if (pending[0] !== REQUEST) return void socket.destroy();
        const total = HEADER + pending.readUInt32BE(8);
        if (pending.length < total) return;
        const request = parse(pending.subarray(0, total));
        pending = pending.subarray(total);
        if (!answer(socket, request)) return void socket.end();
      }
    });
  });

  const live = (key: string): Item | undefined => {
    const item = items.get(key);
    if (item && item.expiresAt !== 0 && item.expiresAt <= Date.now()) items.delete(key);
    return items.get(key);
  };

  const store = (request: Request, mode: 'set' | 'add' | 'replace'): Status => {
    const current = live(request.key);
    if (mode === 'add' && current) return Status.Exists;
    if (mode === 'replace' && !current) return Status.NotStored;
    if (request.cas !== 0n && current?.cas !== request.cas) return current ? Status.Exists : Status.NotFound;
    const flags = request.extras.length >= 8 ? request.extras.readUInt32BE(0) : 0;
    const expiry = request.extras.length >= 8 ? request.extras.readUInt32BE(4) : 0;
    // memcached: up to 30 days is relative seconds, beyond is a Unix time
    const expiresAt = expiry === 0 ? 0 : expiry <= 2_592_000 ? Date.now() + expiry * 1000 : expiry * 1000;
    items.set(request.key, { value: Buffer.from(request.value), flags, cas: nextCas++, expiresAt });
    return Status.Ok;
  };

  // false: close the connection (QUIT)
  const answer = (socket: Socket, request: Request): boolean => {
    const reply = (status: Status, body: { extras?: Buffer; key?: string; value?: Buffer; cas?: bigint } = {}): void => {
      socket.write(frame(request, status, body));
    };
    switch (request.opcode) {
      case 0x00: // GET
      case 0x09: // GETQ
      case 0x0c: // GETK
      case 0x0d: { // GETKQ
        const item = live(request.key);
        const quiet = request.opcode === 0x09 || request.opcode === 0x0d;
        if (!item) {
          if (!quiet) reply(Status.NotFound, { value: Buffer.from('Not found') });
          return true;
        }
        const flags = Buffer.alloc(4);
        flags.writeUInt32BE(item.flags);
        const withKey = request.opcode === 0x0c || request.opcode === 0x0d;
        reply(Status.Ok, { extras: flags, key: withKey ? request.key : '', value: item.value, cas: item.cas });
        return true;
      }
      case 0x01:
      case 0x02:
      case 0x03: {
        const status = store(request, request.opcode === 0x01 ? 'set' : request.opcode === 0x02 ? 'add' : 'replace');
        reply(status, { cas: status === Status.Ok ? live(request.key)?.cas ?? 0n : 0n });
        return true;
      }
      case 0x04: // DELETE
        reply(items.delete(request.key) ? Status.Ok : Status.NotFound);
        return true;
      case 0x05: // INCR
      case 0x06: { // DECR
        const delta = request.extras.readBigUInt64BE(0);
        const initial = request.extras.readBigUInt64BE(8);
        const item = live(request.key);
        let next: bigint;
        if (!item) next = initial;
        else if (!/^\d+$/.test(item.value.toString())) return reply(Status.NonNumeric), true;
        else {
          const now = BigInt(item.value.toString());
          next = request.opcode === 0x05 ? BigInt.asUintN(64, now + delta) : now > delta ? now - delta : 0n;
        }
        items.set(request.key, { value: Buffer.from(next.toString()), flags: 0, cas: nextCas++, expiresAt: item?.expiresAt ?? 0 });
        const out = Buffer.alloc(8);
        out.writeBigUInt64BE(next);
        reply(Status.Ok, { value: out });
        return true;
      }
      case 0x07: // QUIT
        reply(Status.Ok);
        return false;
      case 0x08: // FLUSH
        items.clear();
        reply(Status.Ok);
        return true;
      case 0x0a: // NOOP
        reply(Status.Ok);
        return true;
      case 0x0b: // VERSION
        reply(Status.Ok, { value: Buffer.from('1.6.0-bandmaster-stand-in') });
        return true;
      case 0x10: // STAT: one packet per statistic, then an empty one
        for (const [key, value] of [['pid', String(process.pid)], ['version', '1.6.0-bandmaster-stand-in'], ['curr_items', String(items.size)]] as const) {
          reply(Status.Ok, { key, value: Buffer.from(value) });
        }
        reply(Status.Ok);
        return true;
      default:
        reply(Status.UnknownCommand, { value: Buffer.from('Unknown command') });
        return true;
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function parse(packet: Buffer): Request {
  const keyLength = packet.readUInt16BE(2);
  const extrasLength = packet.readUInt8(4);
  const extras = packet.subarray(HEADER, HEADER + extrasLength);
  const key = packet.subarray(HEADER + extrasLength, HEADER + extrasLength + keyLength).toString();
  const value = packet.subarray(HEADER + extrasLength + keyLength);
  return { opcode: packet.readUInt8(1), opaque: packet.readUInt32BE(12), cas: packet.readBigUInt64BE(16), extras, key, value };
}

function frame(request: Request, status: Status, body: { extras?: Buffer; key?: string; value?: Buffer; cas?: bigint }): Buffer {
  const extras = body.extras ?? Buffer.alloc(0);
  const key = Buffer.from(body.key ?? '');
  const value = body.value ?? Buffer.alloc(0);
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(RESPONSE, 0);
  header.writeUInt8(request.opcode, 1);
  header.writeUInt16BE(key.length, 2);
  header.writeUInt8(extras.length, 4);
  header.writeUInt16BE(status, 6);
  header.writeUInt32BE(extras.length + key.length + value.length, 8);
  header.writeUInt32BE(request.opaque, 12);
  header.writeBigUInt64BE(body.cas ?? 0n, 16);
  return Buffer.concat([header, extras, key, value]);
}
