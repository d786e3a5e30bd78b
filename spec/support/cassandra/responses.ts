/**
 * Response bodies (v4 spec, section 4.2), paired with their opcodes.
 */
import { serialize, writeType } from './cql-values';
import { BodyWriter, ErrorCode, Opcode } from './frame-codec';
import { CQL_VERSION, type ColumnSpec } from './system-tables';
import type { Outcome, RowsResult } from './query-engine';

/** An encoded response body together with the opcode that frames it. */
export interface Response {
  readonly opcode: number;
  readonly body: Buffer;
}

const ResultKind = { void: 0x0001, rows: 0x0002, setKeyspace: 0x0003, prepared: 0x0004 } as const;

const MetadataFlag = { globalTablesSpec: 0x0001, noMetadata: 0x0004 } as const;

/** READY, the answer to STARTUP and REGISTER. */
export function ready(): Response {
  return { opcode: Opcode.ready, body: Buffer.alloc(0) };
}

/** Advertises no compression, so drivers never ask for it. */
export function supported(): Response {
  const body = new BodyWriter()
    .stringMultiMap({ CQL_VERSION: [CQL_VERSION], COMPRESSION: [], PROTOCOL_VERSIONS: ['4/v4'] })
    .toBuffer();
  return { opcode: Opcode.supported, body };
}

/** Builds an ERROR; `extra` carries code-specific fields such as the id of an UNPREPARED error. */
export function error(code: number, message: string, extra?: Buffer): Response {
  const writer = new BodyWriter().int(code).string(message);
  if (extra !== undefined) {
    writer.raw(extra);
  }
  return { opcode: Opcode.error, body: writer.toBuffer() };
}

/** Drivers recognise a version mismatch only by this message prefix, so it follows Cassandra's wording. */
export function unsupportedVersion(version: number): Response {
  return error(
    ErrorCode.protocol,
    `Invalid or unsupported protocol version (${version}); supported versions are (4/v4)`,
  );
}

/** Tells the driver to re-prepare; it retries transparently with a new PREPARE. */
export function unprepared(id: Buffer): Response {
  const extra = new BodyWriter().shortBytes(id).toBuffer();
  return error(ErrorCode.unprepared, `Prepared query with ID ${id.toString('hex')} not found`, extra);
}

function result(writer: BodyWriter): Response {
  return { opcode: Opcode.result, body: writer.toBuffer() };
}

/** Writes a rows metadata block; every column shares the one table, so the global spec form is used. */
function writeRowsMetadata(writer: BodyWriter, rows: RowsResult | null): void {
  if (rows === null) {
    writer.int(MetadataFlag.noMetadata).int(0);
    return;
  }
  writer.int(MetadataFlag.globalTablesSpec).int(rows.columns.length);
  writer.string(rows.keyspace).string(rows.table);
  writeColumnSpecs(writer, rows.columns);
}

function writeColumnSpecs(writer: BodyWriter, columns: readonly ColumnSpec[]): void {
  for (const column of columns) {
    writer.string(column.name);
    writeType(writer, column.type);
  }
}

function rowsResult(rows: RowsResult): Response {
  const writer = new BodyWriter().int(ResultKind.rows);
  writeRowsMetadata(writer, rows);
  writer.int(rows.rows.length);
  for (const row of rows.rows) {
    row.forEach((value, i) => {
      const column = rows.columns[i];
      if (column === undefined) throw new RangeError(`row has more values than the ${rows.columns.length} columns`);
      writer.bytes(serialize(column.type, value));
    });
  }
  return result(writer);
}

/** Turns a statement outcome into the matching RESULT or ERROR. */
export function outcomeResponse(outcome: Outcome): Response {
  switch (outcome.kind) {
    case 'rows':
      return rowsResult(outcome.result);
    case 'void':
      return result(new BodyWriter().int(ResultKind.void));
    case 'set-keyspace':
      return result(new BodyWriter().int(ResultKind.setKeyspace).string(outcome.keyspace));
    case 'error':
      return error(outcome.code, outcome.message);
  }
}

/**
 * A v4 PREPARED result: bind-variable metadata (always empty, as bind markers are not supported)
 * followed by the metadata of the rows the statement returns.
 */
export function prepared(id: Buffer, rows: RowsResult | null): Response {
  const writer = new BodyWriter().int(ResultKind.prepared).shortBytes(id);
  writer.int(0).int(0).int(0);
  writeRowsMetadata(writer, rows);
  return result(writer);
}
