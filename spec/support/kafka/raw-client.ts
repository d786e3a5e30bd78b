/**
 * A one-shot raw Kafka client for protocol-level assertions that kafkajs
 * cannot make (flexible versions, unsupported versions).
 */
import { connect } from 'node:net';
import { FrameDecoder } from './codec';

/**
 * Sends `request` (header and body, without the size prefix) on a fresh
 * connection and resolves with the first response frame minus its
 * correlation id, or null if the broker closes the connection instead.
 */
export function sendRawRequest(host: string, port: number, request: Buffer): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const decoder = new FrameDecoder();
    socket.on('error', reject);
    socket.on('close', () => resolve(null));
    socket.on('data', (chunk: Buffer) => {
      const [frame] = decoder.push(chunk);
      if (!frame) return;
      socket.destroy();
      resolve(frame.subarray(4));
    });
    const size = Buffer.alloc(4);
    size.writeInt32BE(request.length, 0);
    socket.write(Buffer.concat([size, request]));
  });
}
