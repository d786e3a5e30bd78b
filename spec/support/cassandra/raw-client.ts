/**
 * A bare CQL client for wire-level tests of the test server: it sends hand-built request frames
 * and hands back undecoded response frames, so tests can check bytes the driver depends on.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { BodyReader, BodyWriter, Opcode } from './frame-codec';

/** A response frame as received, header fields split out. */
export interface RawResponse {
  /** First header byte, direction bit included (0x84 for a v4 response). */
  readonly versionByte: number;
  readonly streamId: number;
  readonly opcode: number;
  readonly body: Buffer;
}

/** Decodes the code and message that start every ERROR body. */
export function readError(body: Buffer): { code: number; message: string } {
  const reader = new BodyReader(body);
  return { code: reader.int(), message: reader.string() };
}

/** Sends requests over one socket and queues the responses in arrival order. */
export class RawCqlClient {
  readonly #socket: Socket;
  readonly #responses: RawResponse[] = [];
  #pending = Buffer.alloc(0);
  #wake: (() => void) | undefined;

  /** Opens a TCP connection; rejects if the port refuses it. */
  static async connect(port: number, host: string): Promise<RawCqlClient> {
    const socket = connect(port, host);
    await once(socket, 'connect');
    return new RawCqlClient(socket);
  }

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      this.#parse();
      this.#wake?.();
    });
    socket.on('close', () => this.#wake?.());
  }

  get socket(): Socket {
    return this.#socket;
  }

  /** Writes one request frame with a v3+ (nine byte) header. */
  send(version: number, streamId: number, opcode: number, body: Buffer): void {
    const header = Buffer.alloc(9);
    header.writeUInt8(version, 0);
    header.writeInt16BE(streamId, 2);
    header.writeUInt8(opcode, 4);
    header.writeUInt32BE(body.length, 5);
    this.#socket.write(Buffer.concat([header, body]));
  }

  /** Sends a minimal STARTUP, as drivers do first. */
  startup(version: number, streamId = 0): void {
    const body = new BodyWriter().short(1).string('CQL_VERSION').string('3.0.0').toBuffer();
    this.send(version, streamId, Opcode.startup, body);
  }

  /** Resolves with the next response; rejects if the socket closes first. */
  async next(): Promise<RawResponse> {
    for (;;) {
      const response = this.#responses.shift();
      if (response !== undefined) {
        return response;
      }
      if (this.#socket.closed || this.#socket.readableEnded) {
        throw new Error('The server closed the connection');
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #parse(): void {
    while (this.#pending.length >= 9 && this.#pending.length >= 9 + this.#pending.readUInt32BE(5)) {
      const end = 9 + this.#pending.readUInt32BE(5);
      this.#responses.push({
        versionByte: this.#pending.readUInt8(0),
        streamId: this.#pending.readInt16BE(2),
        opcode: this.#pending.readUInt8(4),
        body: this.#pending.subarray(9, end),
      });
      this.#pending = this.#pending.subarray(end);
    }
  }
}
