/**
 * CQL type descriptors and value serialization (v4 spec, sections 4.2.5.2 and 6).
 */
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { BodyWriter } from './frame-codec';

/** Scalar CQL types the system tables need, with their [option] ids. */
const SCALAR_CODES = {
  bigint: 0x0002,
  blob: 0x0003,
  boolean: 0x0004,
  int: 0x0009,
  text: 0x000a,
  timestamp: 0x000b,
  uuid: 0x000c,
  timeuuid: 0x000f,
  inet: 0x0010,
} as const;

type ScalarName = keyof typeof SCALAR_CODES;

/** A column type; collections only ever hold text in the system tables served here. */
export type CqlType =
  | { readonly name: ScalarName }
  | { readonly name: 'set' | 'list'; readonly element: CqlType }
  | { readonly name: 'map'; readonly key: CqlType; readonly value: CqlType };

/** JavaScript representation of a cell before serialization; null is a CQL null. */
export type CqlValue =
  | string
  | number
  | bigint
  | boolean
  | Buffer
  | null
  | readonly CqlValue[]
  | ReadonlyMap<CqlValue, CqlValue>;

/** Shorthands used by the table definitions. */
export const cql = {
  text: { name: 'text' },
  int: { name: 'int' },
  bigint: { name: 'bigint' },
  boolean: { name: 'boolean' },
  blob: { name: 'blob' },
  timestamp: { name: 'timestamp' },
  uuid: { name: 'uuid' },
  timeuuid: { name: 'timeuuid' },
  inet: { name: 'inet' },
  setOf: (element: CqlType): CqlType => ({ name: 'set', element }),
  listOf: (element: CqlType): CqlType => ({ name: 'list', element }),
  mapOf: (key: CqlType, value: CqlType): CqlType => ({ name: 'map', key, value }),
} as const satisfies Record<string, CqlType | ((...args: never[]) => CqlType)>;

/** Writes a type as an [option], recursing into collection element types. */
export function writeType(writer: BodyWriter, type: CqlType): void {
  switch (type.name) {
    case 'set':
    case 'list':
      writer.short(type.name === 'set' ? 0x0022 : 0x0020);
      writeType(writer, type.element);
      return;
    case 'map':
      writer.short(0x0021);
      writeType(writer, type.key);
      writeType(writer, type.value);
      return;
    default:
      writer.short(SCALAR_CODES[type.name]);
  }
}

/** Serializes a value of the given type; returns null for a CQL null. */
export function serialize(type: CqlType, value: CqlValue): Buffer | null {
  if (value === null) {
    return null;
  }
  switch (type.name) {
    case 'set':
    case 'list':
      return serializeCollection(type.element, value);
    case 'map':
      return serializeMap(type.key, type.value, value);
    default:
      return serializeScalar(type.name, value);
  }
}

function fixed(size: number, write: (buf: Buffer) => void): Buffer {
  const buf = Buffer.alloc(size);
  write(buf);
  return buf;
}

/** Each serializer returns undefined when the JavaScript value does not fit the CQL type. */
const SCALAR_SERIALIZERS: Record<ScalarName, (value: CqlValue) => Buffer | undefined> = {
  text: (v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : undefined),
  int: (v) => (typeof v === 'number' ? fixed(4, (b) => b.writeInt32BE(v, 0)) : undefined),
  bigint: (v) => (typeof v === 'number' || typeof v === 'bigint' ? fixed(8, (b) => b.writeBigInt64BE(BigInt(v), 0)) : undefined),
  timestamp: (v) => (typeof v === 'number' ? fixed(8, (b) => b.writeBigInt64BE(BigInt(v), 0)) : undefined),
  boolean: (v) => (typeof v === 'boolean' ? Buffer.from([v ? 1 : 0]) : undefined),
  blob: (v) => (Buffer.isBuffer(v) ? v : undefined),
  uuid: (v) => (typeof v === 'string' ? uuidToBytes(v) : undefined),
  timeuuid: (v) => (typeof v === 'string' ? uuidToBytes(v) : undefined),
  inet: (v) => (typeof v === 'string' ? inetToBytes(v) : undefined),
};

function serializeScalar(name: ScalarName, value: CqlValue): Buffer {
  const bytes = SCALAR_SERIALIZERS[name](value);
  if (bytes === undefined) {
    throw new TypeError(`Cannot serialize a ${typeof value} as CQL ${name}`);
  }
  return bytes;
}

/** v3+ collections use [int] element counts and [bytes] elements. */
function serializeCollection(element: CqlType, value: CqlValue): Buffer {
  if (!Array.isArray(value)) {
    throw new TypeError('A CQL set or list needs an array value');
  }
  const writer = new BodyWriter().int(value.length);
  (value as readonly CqlValue[]).forEach((item) => writer.bytes(serialize(element, item)));
  return writer.toBuffer();
}

function serializeMap(key: CqlType, valueType: CqlType, value: CqlValue): Buffer {
  if (!(value instanceof Map)) {
    throw new TypeError('A CQL map needs a Map value');
  }
  const writer = new BodyWriter().int(value.size);
  for (const [k, v] of value as ReadonlyMap<CqlValue, CqlValue>) {
    writer.bytes(serialize(key, k)).bytes(serialize(valueType, v));
  }
  return writer.toBuffer();
}

function uuidToBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) {
    throw new TypeError(`Invalid UUID ${uuid}`);
  }
  return Buffer.from(hex, 'hex');
}

function inetToBytes(address: string): Buffer {
  if (isIPv4(address)) {
    return Buffer.from(address.split('.').map(Number));
  }
  if (!isIPv6(address)) {
    throw new TypeError(`Invalid IP address ${address}`);
  }
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = address.includes('::') ? groups(tail) : [];
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  return Buffer.from([...left, ...zeros, ...right].map((g) => g.padStart(4, '0')).join(''), 'hex');
}

/** Offset between the UUID epoch (1582-10-15) and the Unix epoch, in 100ns units. */
const GREGORIAN_OFFSET = 0x01b21dd213814000n;

/** Generates a version 1 (time-based) UUID, as CQL now() does. */
export function timeUuid(now: number = Date.now()): string {
  const ticks = BigInt(now) * 10000n + GREGORIAN_OFFSET;
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(Number(ticks & 0xffffffffn), 0);
  bytes.writeUInt16BE(Number((ticks >> 32n) & 0xffffn), 4);
  bytes.writeUInt16BE(Number((ticks >> 48n) & 0x0fffn) | 0x1000, 6);
  randomBytes(8).copy(bytes, 8);
  bytes[8] = (bytes.readUInt8(8) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
