/**
 * One client socket: decodes request frames, dispatches them and applies the configured faults.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  BodyReader,
  ErrorCode,
  FrameDecoder,
  FrameFlag,
  Opcode,
  PROTOCOL_VERSION,
  ProtocolViolation,
  encodeResponse,
  type Frame,
} from './frame-codec';
import type { Outcome, QueryEngine } from './query-engine';
import * as responses from './responses';
import type { Response } from './responses';

/** Misbehaviours the server can be told to exhibit. */
export interface Faults {
  readonly delayMs?: number;
  readonly dropAfterStartup?: boolean;
  readonly failQueries?: string;
}

/** State shared by every connection of one server. */
export interface ServerContext {
  readonly engine: QueryEngine;
  /** Prepared statement texts by hex id; shared because drivers execute on any pooled connection. */
  readonly prepared: Map<string, string>;
  faults(): Faults;
  recordQuery(query: string): void;
}

const OPCODE_NAMES = new Map<number, string>(Object.entries(Opcode).map(([name, code]) => [code, name]));

/**
 * Serves the CQL protocol on one accepted socket until either side closes it.
 */
export class CqlConnection {
  readonly #socket: Socket;
  readonly #context: ServerContext;
  readonly #decoder = new FrameDecoder();
  readonly #timers = new Set<NodeJS.Timeout>();
  #started = false;
  #keyspace: string | null = null;
  /** Resolves once the socket has emitted 'close', i.e. its handle is released. */
  readonly closed: Promise<void>;

  constructor(socket: Socket, context: ServerContext) {
    this.#socket = socket;
    this.#context = context;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // Clients reset sockets freely (timeouts, shutdown); that is not a server failure.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#clearTimers());
  }

  destroy(): void {
    this.#clearTimers();
    this.#socket.destroy();
  }

  #clearTimers(): void {
    this.#timers.forEach((timer) => clearTimeout(timer));
    this.#timers.clear();
  }

  #onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      // The stream cannot be resynchronised after a framing error, as in Cassandra.
      const message = err instanceof ProtocolViolation ? err.message : 'Malformed frame';
      this.#socket.end(encodeResponse(0, Opcode.error, responses.error(ErrorCode.protocol, message).body));
      return;
    }
    for (const frame of frames) {
      if (this.#socket.destroyed) {
        return;
      }
      this.#onFrame(frame);
    }
  }

  #onFrame(frame: Frame): void {
    if (frame.version !== PROTOCOL_VERSION) {
      this.#send(frame.streamId, responses.unsupportedVersion(frame.version));
      return;
    }
    if (this.#started && this.#context.faults().dropAfterStartup === true) {
      this.destroy();
      return;
    }
    let response: Response;
    try {
      response = this.#dispatch(frame);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const code = err instanceof ProtocolViolation ? ErrorCode.protocol : ErrorCode.server;
      response = responses.error(code, message);
    }
    this.#send(frame.streamId, response);
  }

  #dispatch(frame: Frame): Response {
    if ((frame.flags & FrameFlag.compression) !== 0) {
      throw new ProtocolViolation('Compression was not negotiated');
    }
    const reader = new BodyReader(frame.body);
    if ((frame.flags & FrameFlag.customPayload) !== 0) {
      reader.skipCustomPayload();
    }
    if (!this.#started && frame.opcode !== Opcode.startup && frame.opcode !== Opcode.options) {
      const name = OPCODE_NAMES.get(frame.opcode)?.toUpperCase() ?? `0x${frame.opcode.toString(16)}`;
      throw new ProtocolViolation(`Unexpected message ${name}, expecting STARTUP or OPTIONS`);
    }
    switch (frame.opcode) {
      case Opcode.startup:
        return this.#startup(reader);
      case Opcode.options:
        return responses.supported();
      case Opcode.register:
        reader.stringList();
        return responses.ready();
      case Opcode.query:
        return this.#query(reader.longString());
      case Opcode.prepare:
        return this.#prepare(reader.longString());
      case Opcode.execute:
        return this.#execute(reader.shortBytes());
      case Opcode.batch:
        return responses.outcomeResponse({ kind: 'void' });
      default:
        throw new ProtocolViolation(`Unsupported opcode 0x${frame.opcode.toString(16)}`);
    }
  }

  #startup(reader: BodyReader): Response {
    const options = reader.stringMap();
    if (options.has('COMPRESSION')) {
      throw new ProtocolViolation(`Unsupported compression ${options.get('COMPRESSION')}`);
    }
    this.#started = true;
    return responses.ready();
  }

  #query(query: string): Response {
    this.#context.recordQuery(query);
    return responses.outcomeResponse(this.#run(query));
  }

  #prepare(query: string): Response {
    this.#context.recordQuery(query);
    if (query.includes('?')) {
      return responses.error(ErrorCode.invalid, 'Bind markers are not supported by the Cassandra test server');
    }
    const outcome = this.#context.engine.run(query, this.#keyspace);
    if (outcome.kind === 'error') {
      return responses.outcomeResponse(outcome);
    }
    // Cassandra derives the id from the statement (and keyspace), so re-preparing yields the same id.
    const id = createHash('md5').update(`${this.#keyspace ?? ''}\0${query}`).digest();
    this.#context.prepared.set(id.toString('hex'), query);
    return responses.prepared(id, outcome.kind === 'rows' ? outcome.result : null);
  }

  #execute(id: Buffer): Response {
    const query = this.#context.prepared.get(id.toString('hex'));
    if (query === undefined) {
      return responses.unprepared(id);
    }
    return responses.outcomeResponse(this.#run(query));
  }

  #run(query: string): Outcome {
    const needle = this.#context.faults().failQueries;
    if (needle !== undefined && needle !== '' && query.includes(needle)) {
      return { kind: 'error', code: ErrorCode.server, message: `Injected failure for query containing '${needle}'` };
    }
    const outcome = this.#context.engine.run(query, this.#keyspace);
    if (outcome.kind === 'set-keyspace') {
      this.#keyspace = outcome.keyspace;
    }
    return outcome;
  }

  #send(streamId: number, response: Response): void {
    const frame = encodeResponse(streamId, response.opcode, response.body);
    const delay = this.#context.faults().delayMs ?? 0;
    if (delay <= 0) {
      this.#write(frame);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#write(frame);
    }, delay);
    this.#timers.add(timer);
  }

  #write(frame: Buffer): void {
    if (this.#socket.writable) {
      this.#socket.write(frame);
    }
  }
}
