import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** kafkajs's own keep-alive delay, kept so the tracked sockets behave like its default ones. */
const KEEP_ALIVE_DELAY = 60_000;

/**
 * Builds the sockets of one kafkajs client and keeps hold of them. kafkajs has no way to cancel a
 * connect or a request in flight, and its `disconnect()` waits for pending requests and only
 * half-closes (`end()`): holding the sockets is what lets an abort or a stop close them at once.
 *
 * @throws nothing itself; `factory` throws the `closeAll` reason once closed.
 * @example
 * ```ts
 * const sockets = new SocketTracker();
 * const client = new Kafka({ brokers, socketFactory: sockets.factory });
 * sockets.closeAll(new Error('aborted')); // no socket left, no reconnect
 * ```
 */
export class SocketTracker {
  readonly #sockets = new Set<net.Socket>();
  #closed: Error | undefined;

  /** The `socketFactory` to give kafkajs: kafkajs's default one, tracked, refusing once closed. */
  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    // kafkajs wraps this in a KafkaJSConnectionError: a connect retried after close fails at once
    if (this.#closed) throw this.#closed;
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY);
    // closeAll destroys with an error: it must not crash the process once kafkajs let go of a socket
    socket.on('error', () => undefined);
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    return socket;
  };

  /** Sockets not closed yet, connecting ones included. */
  get open(): number {
    return this.#sockets.size;
  }

  /**
   * Destroys every socket with `reason` (kafkajs rejects what was waiting on them) and refuses
   * new ones from now on, so no retry of kafkajs's reconnects after this.
   */
  closeAll(reason: Error): void {
    this.#closed ??= reason;
    for (const socket of this.#sockets) socket.destroy(reason);
    this.#sockets.clear();
  }
}
