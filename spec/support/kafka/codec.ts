/**
 * Kafka wire primitives for the test broker: big-endian readers and writers
 * for the classic (int16-length) and flexible (varint, compact) encodings,
 * plus the size-prefixed framing shared by every request and response.
 */

/** Upper bound on a request frame; anything larger is treated as garbage. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Thrown when a request is truncated or malformed. */
export class KafkaCodecError extends Error {
  override readonly name = 'KafkaCodecError';
}

/** Sequential reader over one request body. */
export class KafkaReader {
  readonly #buf: Buffer;
  #offset = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.#buf.length - this.#offset;
  }

  int8(): number {
    return this.#take(1).readInt8(0);
  }

  int16(): number {
    return this.#take(2).readInt16BE(0);
  }

  int32(): number {
    return this.#take(4).readInt32BE(0);
  }

  int64(): bigint {
    return this.#take(8).readBigInt64BE(0);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  /** A 16-byte UUID (topic ids), as 32 lowercase hex digits. */
  uuid(): string {
    return this.#take(16).toString('hex');
  }

  /** Classic BYTES / NULLABLE_BYTES / RECORDS (int32 length, -1 for null). */
  nullableBytes(): Buffer | null {
    const length = this.int32();
    return length < 0 ? null : this.#take(length);
  }

  /** COMPACT_BYTES / COMPACT_NULLABLE_BYTES (uvarint length + 1, 0 for null). */
  compactNullableBytes(): Buffer | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.#take(length);
  }

  /** COMPACT_ARRAY / COMPACT_NULLABLE_ARRAY (uvarint count + 1, 0 for null). */
  compactNullableArray<T>(item: (reader: KafkaReader) => T): T[] | null {
    const count = this.uvarint() - 1;
    if (count < 0) return null;
    if (count > this.remaining) throw new KafkaCodecError(`array count ${count} exceeds body`);
    return Array.from({ length: count }, () => item(this));
  }

  /** Unsigned LEB128 varint as used by flexible versions. */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.#take(1)[0]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new KafkaCodecError('varint longer than 5 bytes');
  }

  /** Classic STRING / NULLABLE_STRING (int16 length, -1 for null). */
  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.#take(length).toString('utf8');
  }

  /** COMPACT_NULLABLE_STRING (uvarint length + 1, 0 for null). */
  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    return length < 0 ? null : this.#take(length).toString('utf8');
  }

  /** Classic ARRAY / NULLABLE_ARRAY (int32 count, -1 for null). */
  nullableArray<T>(item: (reader: KafkaReader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    if (count > this.remaining) throw new KafkaCodecError(`array count ${count} exceeds body`);
    return Array.from({ length: count }, () => item(this));
  }

  /** Skips `length` bytes (fields the test broker does not read, such as topic ids). */
  skip(length: number): void {
    this.#take(length);
  }

  /** Skips a TAGGED_FIELDS section; the test broker understands no tags. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.#take(this.uvarint());
    }
  }

  #take(length: number): Buffer {
    if (length > this.remaining) {
      throw new KafkaCodecError(`need ${length} bytes at offset ${this.#offset}, have ${this.remaining}`);
    }
    const slice = this.#buf.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return slice;
  }
}

/** Append-only writer producing one response body. */
export class KafkaWriter {
  readonly #chunks: Buffer[] = [];

  int8(value: number): this {
    return this.#push(1, (b) => b.writeInt8(value, 0));
  }

  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  int16(value: number): this {
    return this.#push(2, (b) => b.writeInt16BE(value, 0));
  }

  int32(value: number): this {
    return this.#push(4, (b) => b.writeInt32BE(value, 0));
  }

  int64(value: bigint): this {
    return this.#push(8, (b) => b.writeBigInt64BE(value, 0));
  }

  uvarint(value: number): this {
    const bytes: number[] = [];
    let rest = value;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    bytes.push(rest);
    this.#chunks.push(Buffer.from(bytes));
    return this;
  }

  /** Classic STRING / NULLABLE_STRING. */
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    this.int16(bytes.length);
    this.#chunks.push(bytes);
    return this;
  }

  /** Classic ARRAY: int32 count followed by the items. */
  array<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    this.int32(items.length);
    for (const value of items) item(this, value);
    return this;
  }

  /** COMPACT_ARRAY: uvarint count + 1 followed by the items. */
  compactArray<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    this.uvarint(items.length + 1);
    for (const value of items) item(this, value);
    return this;
  }

  /** COMPACT_NULLABLE_STRING: uvarint length + 1 (0 for null), then UTF-8 bytes. */
  compactNullableString(value: string | null): this {
    if (value === null) return this.uvarint(0);
    const bytes = Buffer.from(value, 'utf8');
    this.uvarint(bytes.length + 1);
    this.#chunks.push(bytes);
    return this;
  }

  /** A 16-byte UUID given as 32 hex digits. */
  uuid(hex: string): this {
    this.#chunks.push(Buffer.from(hex, 'hex'));
    return this;
  }

  /** COMPACT_NULLABLE_BYTES / COMPACT_RECORDS: uvarint length + 1 (0 for null), then the bytes. */
  compactNullableBytes(value: Buffer | null): this {
    if (value === null) return this.uvarint(0);
    this.uvarint(value.length + 1);
    this.#chunks.push(value);
    return this;
  }

  /** An empty TAGGED_FIELDS section. */
  noTaggedFields(): this {
    return this.uvarint(0);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  #push(size: number, write: (b: Buffer) => void): this {
    const chunk = Buffer.alloc(size);
    write(chunk);
    this.#chunks.push(chunk);
    return this;
  }
}

/**
 * Splits a TCP byte stream into int32-size-prefixed frames. Returns the
 * complete frames in arrival order; partial data stays buffered.
 */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 4) {
      const size = this.#pending.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME_BYTES) throw new KafkaCodecError(`bad frame size ${size}`);
      if (this.#pending.length < 4 + size) break;
      frames.push(this.#pending.subarray(4, 4 + size));
      this.#pending = this.#pending.subarray(4 + size);
    }
    return frames;
  }
}

/**
 * Frames a response: int32 size, then the response header (correlation id,
 * plus empty tagged fields for header v1), then the body.
 */
export function frameResponse(correlationId: number, headerVersion: 0 | 1, body: Buffer): Buffer {
  const header = new KafkaWriter().int32(correlationId);
  if (headerVersion === 1) header.noTaggedFields();
  const head = header.toBuffer();
  const size = Buffer.alloc(4);
  size.writeInt32BE(head.length + body.length, 0);
  return Buffer.concat([size, head, body]);
}
