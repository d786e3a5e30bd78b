/**
 * Framing and primitive encodings of the CQL native protocol (v4 spec, sections 2 and 3).
 */

/** The only protocol version the test server speaks. */
export const PROTOCOL_VERSION = 4;

/** Request and response opcodes (spec section 2.4). */
export const Opcode = {
  error: 0x00,
  startup: 0x01,
  ready: 0x02,
  authenticate: 0x03,
  options: 0x05,
  supported: 0x06,
  query: 0x07,
  result: 0x08,
  prepare: 0x09,
  execute: 0x0a,
  register: 0x0b,
  event: 0x0c,
  batch: 0x0d,
  authResponse: 0x0f,
} as const;

/** Header flags (spec section 2.2). */
export const FrameFlag = {
  compression: 0x01,
  tracing: 0x02,
  customPayload: 0x04,
  warning: 0x08,
} as const;

/** Error codes (spec section 9) the server emits. */
export const ErrorCode = {
  server: 0x0000,
  protocol: 0x000a,
  syntax: 0x2000,
  invalid: 0x2200,
  unprepared: 0x2500,
} as const;

/** The spec caps frame bodies at 256MB; anything larger is a corrupt stream. */
const MAX_BODY_LENGTH = 256 * 1024 * 1024;

/** A complete request frame as read from a client. */
export interface Frame {
  readonly version: number;
  readonly flags: number;
  readonly streamId: number;
  readonly opcode: number;
  readonly body: Buffer;
}

/** Raised when the client sends bytes that do not follow the protocol. */
export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

/** Protocol v1 and v2 use one-byte stream ids, so their header is one byte shorter. */
function headerSize(version: number): number {
  return version >= 3 ? 9 : 8;
}

/**
 * Splits a TCP byte stream into frames, buffering partial headers and bodies.
 */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk and returns every frame it completes. Throws {@link ProtocolViolation} on corrupt input. */
  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let frame = this.#next();
    while (frame !== undefined) {
      frames.push(frame);
      frame = this.#next();
    }
    return frames;
  }

  #next(): Frame | undefined {
    const buf = this.#pending;
    if (buf.length < 1) {
      return undefined;
    }
    if ((buf.readUInt8(0) & 0x80) !== 0) {
      throw new ProtocolViolation('Received a response frame where a request was expected');
    }
    const version = buf.readUInt8(0) & 0x7f;
    const size = headerSize(version);
    if (buf.length < size) {
      return undefined;
    }
    const streamId = size === 9 ? buf.readInt16BE(2) : buf.readInt8(2);
    const bodyLength = buf.readUInt32BE(size - 4);
    if (bodyLength > MAX_BODY_LENGTH) {
      throw new ProtocolViolation(`Frame body of ${bodyLength} bytes exceeds the 256MB limit`);
    }
    if (buf.length < size + bodyLength) {
      return undefined;
    }
    const body = Buffer.from(buf.subarray(size, size + bodyLength));
    this.#pending = buf.subarray(size + bodyLength);
    return { version, flags: buf.readUInt8(1), streamId, opcode: buf.readUInt8(size - 5), body };
  }
}

/** Encodes a v4 response frame; the server never compresses, traces or warns, so flags are always zero. */
export function encodeResponse(streamId: number, opcode: number, body: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUInt8(0x80 | PROTOCOL_VERSION, 0);
  header.writeUInt8(0, 1);
  header.writeInt16BE(streamId, 2);
  header.writeUInt8(opcode, 4);
  header.writeUInt32BE(body.length, 5);
  return Buffer.concat([header, body]);
}

/**
 * Reads the notations of spec section 3 ([short], [string], [long string], ...) from a request body.
 */
export class BodyReader {
  readonly #buf: Buffer;
  #offset = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  #take(length: number): Buffer {
    if (length < 0 || this.#offset + length > this.#buf.length) {
      throw new ProtocolViolation('Request body is shorter than its contents declare');
    }
    const slice = this.#buf.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }

  byte(): number {
    return this.#take(1).readUInt8(0);
  }

  short(): number {
    return this.#take(2).readUInt16BE(0);
  }

  int(): number {
    return this.#take(4).readInt32BE(0);
  }

  string(): string {
    return this.#take(this.short()).toString('utf8');
  }

  longString(): string {
    return this.#take(this.int()).toString('utf8');
  }

  shortBytes(): Buffer {
    return Buffer.from(this.#take(this.short()));
  }

  /** A null [bytes] (negative length) reads as an empty buffer; callers here only skip such values. */
  bytes(): Buffer {
    const length = this.int();
    return length < 0 ? Buffer.alloc(0) : this.#take(length);
  }

  stringMap(): Map<string, string> {
    const map = new Map<string, string>();
    for (let n = this.short(); n > 0; n--) {
      map.set(this.string(), this.string());
    }
    return map;
  }

  stringList(): string[] {
    const list: string[] = [];
    for (let n = this.short(); n > 0; n--) {
      list.push(this.string());
    }
    return list;
  }

  /** Custom payloads precede the body proper when the header flag is set; the server has no use for them. */
  skipCustomPayload(): void {
    for (let n = this.short(); n > 0; n--) {
      this.string();
      this.bytes();
    }
  }
}

/**
 * Builds a response body from the notations of spec section 3.
 */
export class BodyWriter {
  readonly #parts: Buffer[] = [];

  #push(size: number, write: (buf: Buffer) => void): this {
    const buf = Buffer.alloc(size);
    write(buf);
    this.#parts.push(buf);
    return this;
  }

  byte(value: number): this {
    return this.#push(1, (b) => b.writeUInt8(value, 0));
  }

  short(value: number): this {
    return this.#push(2, (b) => b.writeUInt16BE(value, 0));
  }

  int(value: number): this {
    return this.#push(4, (b) => b.writeInt32BE(value, 0));
  }

  raw(buf: Buffer): this {
    this.#parts.push(buf);
    return this;
  }

  string(value: string): this {
    const encoded = Buffer.from(value, 'utf8');
    return this.short(encoded.length).raw(encoded);
  }

  stringList(values: readonly string[]): this {
    this.short(values.length);
    values.forEach((value) => this.string(value));
    return this;
  }

  stringMultiMap(map: Readonly<Record<string, readonly string[]>>): this {
    const entries = Object.entries(map);
    this.short(entries.length);
    entries.forEach(([key, values]) => this.string(key).stringList(values));
    return this;
  }

  /** Writes [bytes]; null becomes the length -1 that the protocol uses for a null value. */
  bytes(value: Buffer | null): this {
    return value === null ? this.int(-1) : this.int(value.length).raw(value);
  }

  shortBytes(value: Buffer): this {
    return this.short(value.length).raw(value);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#parts);
  }
}
